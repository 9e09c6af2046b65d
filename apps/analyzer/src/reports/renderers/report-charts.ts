import type { MonthlyReport } from '../model/report.model';
import { REPORT_FONT_FAMILY } from './report-font';
import { PARTS } from '../model/report-sections';
import { formatCount as fmt } from '@kansa/domain';

/**
 * The report's charts as plain SVG (rect, line, text only): inlined in the
 * HTML and drawn as the same vectors in the PDF (svg-to-pdfkit), so both show
 * one picture. Text uses the family CHART_FONT; the PDF maps it to the
 * embedded Noto Sans JP.
 */
export const CHART_FONT = REPORT_FONT_FAMILY;
export const CHART_WIDTH = 500;

export interface Chart {
  title: string;
  /** What the chart shows and where its numbers are, for readers who cannot see it (the PDF figure's alternate text). */
  alt: string;
  svg: string;
  width: number;
  height: number;
}

const PALETTE = ['#1f4e79', '#5b9bd5', '#a9a9a9', '#6a8f3a', '#c55a11', '#7f6084'];
const INK = '#222222';
const GRID = '#d0d0d0';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function text(x: number, y: number, s: string, size = 8, anchor: 'start' | 'middle' | 'end' = 'start', fill = INK): string {
  return `<text x="${r(x)}" y="${r(y)}" font-family="${CHART_FONT}" font-size="${size}" text-anchor="${anchor}" fill="${fill}">${esc(s)}</text>`;
}

function rect(x: number, y: number, w: number, h: number, fill: string, stroke?: string): string {
  return `<rect x="${r(x)}" y="${r(y)}" width="${r(Math.max(w, 0))}" height="${r(Math.max(h, 0))}" fill="${fill}"${stroke ? ` stroke="${stroke}" stroke-width="0.5"` : ''}/>`;
}

function line(x1: number, y1: number, x2: number, y2: number, stroke = GRID, width = 0.5): string {
  return `<line x1="${r(x1)}" y1="${r(y1)}" x2="${r(x2)}" y2="${r(y2)}" stroke="${stroke}" stroke-width="${width}"/>`;
}

function r(n: number): string {
  return String(Math.round(n * 100) / 100);
}

function svg(width: number, height: number, body: string[], label: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(label)}">${body.join('')}</svg>`;
}

/** A "nice" axis maximum and step: 1, 2, 5 × 10^n. */
function niceScale(max: number, ticks = 4): { top: number; step: number } {
  if (max <= 0) return { top: ticks, step: 1 };
  const raw = max / ticks;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  return { top: Math.ceil(max / step) * step, step };
}

/** 7-1: stacked bars of events per day and system, closed days shaded. */
export function dailyVolumeChart(rep: MonthlyReport): Chart {
  const width = CHART_WIDTH;
  const height = 230;
  const left = 50;
  const right = 10;
  const top = 28;
  const bottom = 38;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const days = rep.scope.days;
  const sources = rep.scope.sources;
  const { top: maxV, step } = niceScale(Math.max(0, ...days.map((d) => d.total)));
  const slot = plotW / Math.max(days.length, 1);
  const barW = slot * 0.7;
  const body: string[] = [];
  days.forEach((d, i) => {
    if (!d.businessDay) body.push(rect(left + i * slot, top, slot, plotH, '#f1f1f1'));
  });
  for (let v = 0; v <= maxV; v += step) {
    const y = top + plotH - (v / maxV) * plotH;
    body.push(line(left, y, left + plotW, y));
    body.push(text(left - 4, y + 3, fmt(v), 7, 'end'));
  }
  days.forEach((d, i) => {
    let y = top + plotH;
    sources.forEach((s, k) => {
      const h = (d.counts[s.id] / maxV) * plotH;
      y -= h;
      if (h > 0) body.push(rect(left + i * slot + (slot - barW) / 2, y, barW, h, PALETTE[k % PALETTE.length]));
    });
    const dayNo = Number(d.day.slice(8));
    if (dayNo === 1 || dayNo % 5 === 0 || days.length <= 16)
      body.push(text(left + i * slot + slot / 2, top + plotH + 11, String(dayNo), 7, 'middle'));
  });
  body.push(line(left, top + plotH, left + plotW, top + plotH, INK, 0.8));
  body.push(text(left + plotW / 2, top + plotH + 22, '日（網掛けは閉庁日）', 7, 'middle'));
  body.push(text(left - 4, top - 8, '件数', 7, 'end'));
  let lx = left;
  sources.forEach((s, k) => {
    body.push(rect(lx, 6, 9, 9, PALETTE[k % PALETTE.length]));
    body.push(text(lx + 12, 14, s.title, 8));
    lx += 16 + s.title.length * 8.5;
  });
  return {
    title: `${PARTS.dailyChart} システム別・日別ログ件数`,
    alt: '',
    svg: svg(width, height, body, 'システム別・日別ログ件数'),
    width,
    height,
  };
}

/** 7-2: access by weekday × hour, shaded by volume. */
export function heatmapChart(rep: MonthlyReport): Chart {
  const width = CHART_WIDTH;
  const left = 26;
  const top = 16;
  const cell = (width - left - 10) / 24;
  const cellH = 17;
  const height = top + cellH * 7 + 40;
  const max = Math.max(1, ...rep.charts.heatmap.flat());
  const body: string[] = [];
  const labels = ['月', '火', '水', '木', '金', '土', '日'];
  for (let h = 0; h < 24; h++) body.push(text(left + h * cell + cell / 2, top - 4, String(h), 7, 'middle'));
  rep.charts.heatmap.forEach((row, d) => {
    body.push(text(left - 6, top + d * cellH + cellH / 2 + 3, labels[d], 8, 'end'));
    row.forEach((n, h) => {
      body.push(rect(left + h * cell, top + d * cellH, cell, cellH, shade(n / max), '#ffffff'));
    });
  });
  const ly = top + cellH * 7 + 12;
  body.push(text(left, ly + 8, '少', 7, 'start'));
  for (let i = 0; i <= 10; i++) body.push(rect(left + 14 + i * 14, ly, 14, 10, shade(i / 10)));
  body.push(text(left + 14 + 11 * 14 + 4, ly + 8, `多（最大 ${fmt(max)} 件／1時間帯）`, 7, 'start'));
  body.push(text(width - 10, ly + 8, '時（0〜23時）', 7, 'end'));
  return {
    title: `${PARTS.heatmap} 曜日・時間帯別アクセス件数`,
    alt: '',
    svg: svg(width, height, body, '曜日・時間帯別アクセス件数'),
    width,
    height,
  };
}

function shade(t: number): string {
  if (t <= 0) return '#f4f6f9';
  const from = [222, 235, 247];
  const to = [8, 48, 107];
  const c = from.map((f, i) => Math.round(f + (to[i] - f) * Math.sqrt(t)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

function horizontalBars(
  title: string,
  label: string,
  items: Array<{ label: string; value: number }>,
  color: string,
  emptyText: string,
): Chart {
  const width = CHART_WIDTH;
  const left = 170;
  const right = 60;
  const rowH = 16;
  const top = 8;
  const height = top + Math.max(items.length, 1) * rowH + 24;
  const plotW = width - left - right;
  const { top: maxV, step } = niceScale(Math.max(0, ...items.map((i) => i.value)));
  const body: string[] = [];
  if (items.length === 0) {
    body.push(text(width / 2, top + 14, emptyText, 8, 'middle'));
    return { title, alt: '', svg: svg(width, height, body, label), width, height };
  }
  for (let v = 0; v <= maxV; v += step) {
    const x = left + (v / maxV) * plotW;
    body.push(line(x, top, x, top + items.length * rowH));
    body.push(text(x, top + items.length * rowH + 11, fmt(v), 7, 'middle'));
  }
  items.forEach((it, i) => {
    const y = top + i * rowH;
    body.push(text(left - 6, y + rowH / 2 + 3, it.label, 8, 'end'));
    body.push(rect(left, y + 3, (it.value / maxV) * plotW, rowH - 6, color));
    body.push(text(left + (it.value / maxV) * plotW + 4, y + rowH / 2 + 3, fmt(it.value), 7, 'start'));
  });
  body.push(line(left, top, left, top + items.length * rowH, INK, 0.8));
  return { title, alt: '', svg: svg(width, height, body, label), width, height };
}

/** 7-3: users with the most access events. */
export function topUsersChart(rep: MonthlyReport): Chart {
  return horizontalBars(
    `${PARTS.topUsers} アクセス件数の多い利用者`,
    'アクセス件数の多い利用者',
    rep.charts.topUsers.map((u) => ({ label: `${u.userId} ${u.name}${u.department ? `（${u.department}）` : ''}`, value: u.count })),
    PALETTE[0],
    'アクセスがありません。',
  );
}

/** 7-4: off-hours access events per department (from the off-hours findings). */
export function offHoursChart(rep: MonthlyReport): Chart {
  return horizontalBars(
    `${PARTS.offHours} 所属別の時間外アクセス件数`,
    '所属別の時間外アクセス件数',
    rep.charts.offHoursByDepartment.map((d) => ({ label: d.department, value: d.events })),
    PALETTE[4],
    '時間外アクセスの検知はありません。',
  );
}

export function reportCharts(rep: MonthlyReport): Chart[] {
  const where = [PARTS.daily, PARTS.heatmap, PARTS.topUsers, PARTS.offHours];
  return [dailyVolumeChart, heatmapChart, topUsersChart, offHoursChart].map((make, i) => {
    const c = make(rep);
    return { ...c, alt: `${c.title.replace(/^[\d-]+ /, '')}のグラフ。数値は表 ${where[i]} のとおり。` };
  });
}
