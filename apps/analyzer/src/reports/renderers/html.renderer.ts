import { dualDate, eraName } from '../model/era-date';
import type { MonthlyReport } from '../model/report.model';
import { reportCharts } from './report-charts';
import { embeddedFontFaces, REPORT_FONT_FAMILY } from './report-font';
import {
  Block,
  Cell,
  cellText,
  coverFacts,
  organisationName,
  REPORT_TITLE,
  ReportTable,
  reportSections,
  reportTitle,
  RowStyle,
} from './report-tables';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** CSS content string (for @page margin boxes). */
const cssString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

function css(rep: MonthlyReport): string {
  return `
@page { size: A4 portrait; margin: 18mm 14mm 16mm 14mm;
  @top-left { content: ${cssString(`${reportTitle(rep)}　${organisationName(rep)}`)}; font-size: 7.5pt; color: #555; }
  ${rep.marking ? `@top-right { content: ${cssString(rep.marking)}; font-size: 9pt; font-weight: 700; color: #b00020; }` : ''}
  @bottom-center { content: counter(page) " / " counter(pages); font-size: 8.5pt; } }
@page wide { size: A4 landscape; margin: 16mm 12mm 14mm 12mm; }
@page cover { @top-left { content: none; } }
* { box-sizing: border-box; }
body { font-family: "${REPORT_FONT_FAMILY}", sans-serif; color: #1a1a1a; font-size: 10pt; line-height: 1.6; margin: 0; background: #eef0f3; }
main { margin: 0 auto; padding: 0 0 24px; }
.sheet { background: #fff; max-width: 190mm; margin: 12px auto; padding: 12mm 12mm; box-shadow: 0 1px 3px rgba(0,0,0,.15); }
.sheet.wide { max-width: 277mm; }
.bar { position: sticky; top: 0; z-index: 2; background: #1f4e79; color: #fff; font-size: 9pt; padding: 4px 12px; display: flex; justify-content: space-between; }
.bar .mark { background: #fff; color: #b00020; font-weight: 700; padding: 0 8px; border-radius: 2px; }
h2 { font-size: 13pt; border-bottom: 1px solid #7a7a7a; border-left: 5px solid #1f4e79; padding: 2px 0 2px 8px; margin: 0 0 10px; break-after: avoid; }
h3 { font-size: 10.5pt; margin: 18px 0 4px; break-after: avoid; }
h4 { font-size: 10pt; margin: 12px 0 2px; break-after: avoid; }
p { margin: 2px 0 4px; }
p.note { font-size: 8.5pt; color: #444; margin: 0 0 4px; }
.status { border: 1.5px solid #1f4e79; padding: 6px 12px; margin: 6px 0 10px; font-weight: 700; }
.status.draft { border-color: #b06000; color: #7a4200; background: #fff7e8; }
.verdict-ok { border: 1.5px solid #2e6b30; background: #f1f8f1; padding: 6px 12px; }
.verdict-bad { border: 2px solid #b00020; background: #fdf0f2; padding: 6px 12px; }
.verdict-ok p:first-child, .verdict-bad p:first-child { font-weight: 700; font-size: 11pt; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 8pt; margin-bottom: 6px; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th, td { border: 0.6px solid #7a7a7a; padding: 2px 4px; vertical-align: top; overflow-wrap: anywhere; }
th { background: #e4e9f0; font-weight: 700; text-align: left; white-space: nowrap; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.nowrap { white-space: nowrap; }
td.code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 8pt; letter-spacing: 0.02em; overflow-wrap: normal; word-spacing: 0.2em; }
tr.closed td { background: #f1f1f1; }
tr.critical td { background: #fbe3e6; }
tr.critical td:first-child, tr.high td:first-child { font-weight: 700; }
tr.high td { background: #fff0dc; }
tr.urgent td { background: #fbe3e6; font-weight: 700; }
tr.warn td, tr.withheld td { background: #fff6d6; }
tr.subtotal td { background: #eef1f5; }
tfoot td { background: #e4e9f0; font-weight: 700; }
.cover { min-height: 255mm; position: relative; page: cover; }
.cover .made { text-align: right; }
.cover .marking { position: absolute; top: 0; left: 0; border: 2px solid #b00020; color: #b00020; font-weight: 700; font-size: 13pt; padding: 2px 12px; }
.cover .badge { display: inline-block; border: 2px solid currentColor; padding: 0 10px; font-size: 14pt; font-weight: 700; margin-top: 6px; }
.cover .badge.draft { color: #b06000; }
.cover .badge.final { color: #1f4e79; }
.cover h1 { text-align: center; margin-top: 30mm; font-size: 22pt; line-height: 1.5; }
.cover h1 small { display: block; font-size: 15pt; font-weight: 400; }
.cover dl { display: grid; grid-template-columns: 26mm 1fr; gap: 4px 8px; margin: 10mm 8mm 6mm; }
.cover dt { font-weight: 700; }
.cover dd { margin: 0; }
.complete { border: 1px solid #7a7a7a; padding: 6px 14px; margin: 0 6mm; }
.complete.incomplete { border: 2px solid #b00020; }
.complete.incomplete strong { color: #b00020; }
.approval { position: absolute; right: 0; bottom: 0; border-collapse: collapse; width: auto; }
.approval th { text-align: center; min-width: 25mm; font-weight: 400; font-size: 8.5pt; white-space: normal; }
.approval td.stamp { height: 24mm; }
.approval td.date { font-size: 7.5pt; text-align: center; }
figure { margin: 8px 0 14px; break-inside: avoid; }
figure svg { width: 100%; height: auto; }
figcaption { font-weight: 700; font-size: 10pt; margin-bottom: 4px; }
nav ol { columns: 2; font-size: 9.5pt; padding-left: 8px; list-style: none; }
@media print {
  body { background: #fff; }
  .bar { display: none; }
  .sheet { box-shadow: none; margin: 0; padding: 0; max-width: none; break-before: page; }
  .sheet.cover-sheet { break-before: auto; }
  .sheet.wide { page: wide; }
  .scroll { overflow: visible; }
  .screen-only { display: none; }
}
`;
}

/** Collects the text drawn in bold, for the bold font subset. */
class BoldText {
  private parts: string[] = [];
  add(s: string): string {
    this.parts.push(s);
    return s;
  }
  toString(): string {
    return this.parts.join('');
  }
}

function tableHtml(t: ReportTable, showTitle: boolean, bold: BoldText): string {
  const head = `${showTitle ? `<h3 id="t-${esc(t.key)}">${esc(bold.add(t.title))}</h3>` : ''}${(t.notes ?? []).map((n) => `<p class="note">${esc(n)}</p>`).join('')}`;
  if (t.rows.length === 0) return `${head}<p>${esc(t.empty)}</p>`;
  const td = (v: Cell, i: number) => {
    const c = t.columns[i];
    // Numbers, dates and times never wrap; text wraps (long tokens too), and a column is never narrower than its header.
    const cls = c.kind === 'int' ? 'n' : c.kind === 'code' ? 'code' : c.kind === 'text' ? '' : 'nowrap';
    const hidden = c.pdf === false ? ' screen-only' : '';
    const classes = `${cls}${hidden}`.trim();
    return `<td${classes ? ` class="${classes}"` : ''}>${esc(cellText(v, c.kind))}</td>`;
  };
  const style = (s: RowStyle | undefined) => (s ? ` class="${s}"` : '');
  const rows = t.rows.map((r, i) => `<tr${style(t.rowStyles?.[i])}>${r.map(td).join('')}</tr>`).join('\n');
  const foot = t.footer ? `<tfoot><tr>${t.footer.map((v, i) => td(v, i)).join('')}</tr></tfoot>` : '';
  // Column shares by their relative widths; a header never wraps, so no column is narrower than its header.
  const total = t.columns.reduce((a, c) => a + c.width, 0);
  const cols = t.columns
    .map((c) => `<col style="width:${((100 * c.width) / total).toFixed(1)}%"${c.pdf === false ? ' class="screen-only"' : ''}>`)
    .join('');
  const ths = t.columns.map((c) => `<th${c.pdf === false ? ' class="screen-only"' : ''}>${esc(bold.add(c.header))}</th>`).join('');
  return `${head}<div class="scroll"><table data-table="${esc(t.sheet)}"><colgroup>${cols}</colgroup><thead><tr>${ths}</tr></thead><tbody>\n${rows}\n</tbody>${foot}</table></div>`;
}

function blockHtml(b: Block, sectionTitle: string, charts: ReturnType<typeof reportCharts>, bold: BoldText): string {
  if (b.kind === 'table') return tableHtml(b.table, b.table.title !== sectionTitle, bold);
  if (b.kind === 'chart') {
    const c = charts[b.index];
    return `<figure><figcaption>${esc(bold.add(c.title))}</figcaption>${c.svg}</figure>`;
  }
  const title = b.title ? `<h4>${esc(bold.add(b.title))}</h4>` : '';
  const lines = b.numbered
    ? `<ol>${b.lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ol>`
    : b.lines.map((l) => `<p>${esc(l)}</p>`).join('');
  if (b.emphasis === 'status') return `<div class="status${/^速報/.test(b.lines[0]) ? ' draft' : ''}">${esc(bold.add(b.lines[0]))}</div>`;
  if (b.emphasis) {
    bold.add(b.lines[0]);
    return `<div class="${b.emphasis}">${title}${lines}</div>`;
  }
  return `${title}${lines}`;
}

/** The report as one self-contained HTML page (inline CSS, SVG and font subset; prints as A4, wide sections landscape). */
export async function renderHtml(rep: MonthlyReport): Promise<string> {
  const bold = new BoldText();
  const sections = reportSections(rep);
  const charts = reportCharts(rep);
  const c = rep.completeness;
  const statusLines = c.complete ? ['対象期間のすべての開庁日について、全システムのログの収集と分析の実施を確認しました。'] : c.notes;
  const cover = `
<section class="sheet cover-sheet"><div class="cover">
  ${rep.marking ? `<div class="marking">${esc(bold.add(rep.marking))}</div>` : ''}
  <p class="made">作成日　${esc(dualDate(rep.madeAt.slice(0, 10)))}<br>${esc(organisationName(rep))}　${esc(rep.organisation.office)}<br>
    <span class="badge ${rep.status.final ? 'final' : 'draft'}" data-status="${rep.status.label}">${esc(bold.add(rep.status.label))}</span></p>
  <h1>${bold.add('特定個人情報取扱システム')}<br>${bold.add('ログ分析結果報告書')}<small>${esc(reportTitle(rep).slice(REPORT_TITLE.length))}</small></h1>
  <dl>${coverFacts(rep)
    .map(
      ([k, v]) =>
        `<dt>${esc(bold.add(k))}</dt><dd${k === 'ログ件数' ? ' data-count="events"' : k === '検知件数' ? ' data-count="findings"' : k === '確認の状況' ? ' data-count="review"' : ''}>${esc(v)}</dd>`,
    )
    .join('')}</dl>
  <div class="status${rep.status.final ? '' : ' draft'}" data-final="${rep.status.final}">${esc(bold.add(rep.status.text))}</div>
  <div class="complete${c.complete ? '' : ' incomplete'}" data-complete="${c.complete}">
    <strong>${esc(bold.add(c.complete ? 'データの完全性' : '【注意】本報告書は不完全なデータに基づいています'))}</strong>
    <ul>${statusLines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>
  </div>
  <table class="approval"><caption style="text-align:left;font-size:9pt">決裁欄</caption>
    <tr>${rep.approvers.map((a) => `<th>${esc(a)}</th>`).join('')}</tr>
    <tr>${rep.approvers.map(() => '<td class="stamp"></td>').join('')}</tr>
    <tr>${rep.approvers.map(() => `<td class="date">${eraName(rep.madeAt.slice(0, 10))}　年　月　日</td>`).join('')}</tr>
  </table>
</div></section>`;
  const nav = `<section class="sheet"><nav><h2>${bold.add('目次')}</h2><ol>${sections
    .map((s) => `<li><a href="#${s.key}">${esc(s.title)}</a></li>`)
    .join('')}</ol></nav></section>`;
  const body = sections
    .map(
      (s) =>
        `<section class="sheet${s.wide ? ' wide' : ''}"><h2 id="${s.key}">${esc(bold.add(s.title))}</h2>\n${s.blocks.map((b) => blockHtml(b, s.title, charts, bold)).join('\n')}</section>`,
    )
    .join('\n');
  const bar = `<div class="bar"><span>${esc(reportTitle(rep))}　${esc(organisationName(rep))}</span>${rep.marking ? `<span class="mark">${esc(rep.marking)}</span>` : ''}</div>`;
  const page = `${bar}<main>${cover}\n${nav}\n${body}\n</main>`;
  const faces = await embeddedFontFaces(page.replace(/<[^>]*>/g, ''), bold.toString() + reportTitle(rep));
  return `<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(reportTitle(rep))}</title><style>${faces}\n${css(rep)}</style></head>
<body>${page}</body></html>
`;
}
