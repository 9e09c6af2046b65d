import { dailyVolumeChart, heatmapChart, offHoursChart, topUsersChart } from './report-charts';
import type { MonthlyReport } from '../model/report.model';

/** Just the parts of a report the charts read. */
function report(): MonthlyReport {
  const days = ['2025-04-01', '2025-04-02', '2025-04-05'].map((day, i) => ({
    day,
    weekday: '',
    businessDay: i < 2,
    label: i < 2 ? '' : '土曜',
    counts: { jumin: i < 2 ? 300 + i : 0, atena: i === 0 ? 50 : 0 },
    total: i < 2 ? 300 + i + (i === 0 ? 50 : 0) : 0,
  }));
  const heatmap = Array.from({ length: 7 }, () => Array<number>(24).fill(0));
  heatmap[0][9] = 120;
  heatmap[5][21] = 3;
  return {
    scope: {
      sources: [
        { id: 'jumin', title: '住民記録システム' },
        { id: 'atena', title: '団体内統合宛名システム' },
      ],
      days,
    },
    charts: {
      heatmap,
      topUsers: [
        { userId: 'K1', name: '佐藤 <太郎>', department: '市民課', count: 900 },
        { userId: 'K2', name: '鈴木', department: '', count: 450 },
      ],
      offHoursByDepartment: [],
    },
  } as unknown as MonthlyReport;
}

const rects = (svg: string) =>
  [...svg.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="([^"]+)"/g)].map((m) => ({
    x: +m[1],
    y: +m[2],
    w: +m[3],
    h: +m[4],
    fill: m[5],
  }));

describe('report charts (SVG)', () => {
  it('daily volume: one bar segment per system and day with events, heights in proportion, closed days shaded', () => {
    const svg = dailyVolumeChart(report()).svg;
    const bars = rects(svg)
      .filter((r) => r.fill === '#1f4e79' || r.fill === '#5b9bd5')
      .filter((r) => r.w > 9 && r.y > 20);
    expect(bars).toHaveLength(3); // jumin ×2, atena ×1
    const jumin = bars.filter((b) => b.fill === '#1f4e79');
    expect(jumin[1].h / jumin[0].h).toBeCloseTo(301 / 300, 2);
    expect(rects(svg).filter((r) => r.fill === '#f1f1f1')).toHaveLength(1);
    expect(svg).toContain('団体内統合宛名システム');
  });

  it('heatmap: 7 × 24 cells, the busiest darkest, an empty hour lightest', () => {
    const cells = rects(heatmapChart(report()).svg).filter((r) => r.h === 17);
    expect(cells).toHaveLength(7 * 24);
    expect(cells[9].fill).toBe('rgb(8,48,107)');
    expect(cells[0].fill).toBe('#f4f6f9');
  });

  it('bar charts escape names and say so when empty', () => {
    const top = topUsersChart(report()).svg;
    expect(top).toContain('佐藤 &lt;太郎&gt;');
    const bars = rects(top).filter((r) => r.fill === '#1f4e79');
    expect(bars[0].w / bars[1].w).toBeCloseTo(2, 5);
    expect(offHoursChart(report()).svg).toContain('時間外アクセスの検知はありません。');
  });
});
