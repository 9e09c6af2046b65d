import { buildTrend, seriousFindings, trendMonths } from './report-summary';

describe('summary: trend and serious findings', () => {
  it('12 months ending with the month, across a year end', () => {
    expect(trendMonths('2025-02')).toEqual([
      '2024-03',
      '2024-04',
      '2024-05',
      '2024-06',
      '2024-07',
      '2024-08',
      '2024-09',
      '2024-10',
      '2024-11',
      '2024-12',
      '2025-01',
      '2025-02',
    ]);
  });

  it('counts per rule and severity; months never analysed are null (「－」), not 0', () => {
    const t = buildTrend({
      month: '2025-04',
      counts: [
        { month: '2025-03', rule: 'off-hours', severity: 'medium', n: 2 },
        { month: '2025-04', rule: 'off-hours', severity: 'medium', n: 5 },
        { month: '2025-04', rule: 'mass-output', severity: 'high', n: 1 },
      ],
      analysedMonths: new Set(['2025-03', '2025-04']),
      rules: [
        { id: 'off-hours', title: '時間外アクセス', severity: '中' },
        { id: 'mass-output', title: '大量出力', severity: '高' },
      ],
    });
    expect(t.rules[0].counts.slice(-3)).toEqual([null, 2, 5]);
    expect(t.rules[1].counts.slice(-2)).toEqual([0, 1]);
    expect(t.severities.map((s) => [s.severity, s.counts[11]])).toEqual([
      ['重大', 0],
      ['高', 1],
      ['中', 5],
      ['低', 0],
    ]);
    expect(t.totals.slice(-3)).toEqual([null, 2, 6]);
  });

  it('lists 重大 before 高, then by day and time, and leaves 中・低 out', () => {
    const f = (severity: string, severityRank: number, day: string, time = '') => ({ severity, severityRank, day, time }) as never;
    const out = seriousFindings([
      f('高', 1, '2025-04-01'),
      f('中', 2, '2025-04-01'),
      f('重大', 0, '2025-04-20'),
      f('高', 1, '2025-04-01', '09:00'),
    ]);
    expect(out.map((x: { severity: string; day: string }) => `${x.severity}${x.day}`)).toEqual([
      '重大2025-04-20',
      '高2025-04-01',
      '高2025-04-01',
    ]);
  });
});
