import { dualDate } from '../model/era-date';
import { reportCharts } from './report-charts';
import type { MonthlyReport } from '../model/report.model';
import { Cell, periodText, REPORT_TITLE, ReportTable, reportTables, reportTitle, SECTIONS, SectionKey } from './report-tables';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function cell(v: Cell, kind: string): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return kind === 'int' ? v.toLocaleString('ja-JP') : String(v);
  return esc(v);
}

const CSS = `
@page { size: A4 portrait; margin: 16mm 14mm 16mm 14mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans JP", "Noto Sans CJK JP", "Yu Gothic", "YuGothic", "Meiryo", "Hiragino Sans", "IPAexGothic", "IPAGothic", sans-serif;
       color: #1a1a1a; font-size: 10.5pt; line-height: 1.55; margin: 0; background: #f4f4f4; }
main { max-width: 190mm; margin: 0 auto; background: #fff; padding: 14mm 12mm; }
h2 { font-size: 13pt; border-bottom: 1px solid #7a7a7a; border-left: 5px solid #1f4e79; padding: 2px 0 2px 8px; margin: 28px 0 10px; page-break-after: avoid; }
h3 { font-size: 10.5pt; margin: 18px 0 4px; page-break-after: avoid; }
p.note { font-size: 8.5pt; color: #444; margin: 0 0 4px; }
table { border-collapse: collapse; width: 100%; font-size: 8pt; margin-bottom: 6px; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; }
th, td { border: 0.6px solid #7a7a7a; padding: 2px 4px; vertical-align: top; }
th { background: #e4e9f0; font-weight: 700; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.closed td { background: #f3f3f3; }
tfoot td { background: #e4e9f0; font-weight: 700; }
td.hash { font-family: monospace; word-break: break-all; font-size: 7.5pt; }
.cover { min-height: 250mm; position: relative; page-break-after: always; }
.cover .made { text-align: right; }
.cover h1 { text-align: center; margin-top: 40mm; font-size: 22pt; line-height: 1.5; }
.cover h1 small { display: block; font-size: 15pt; font-weight: 400; }
.cover dl { display: grid; grid-template-columns: 28mm 1fr; gap: 4px 8px; margin: 14mm 14mm 8mm; }
.cover dt { font-weight: 700; }
.cover dd { margin: 0; }
.status { border: 1px solid #7a7a7a; padding: 8px 14px; margin: 0 10mm; }
.status.incomplete { border: 2px solid #b00020; }
.status.incomplete strong { color: #b00020; }
.approval { position: absolute; right: 0; bottom: 0; border-collapse: collapse; width: auto; }
.approval th { text-align: center; width: 27mm; font-weight: 400; font-size: 8.5pt; }
.approval td.stamp { height: 25mm; }
.approval td.date { font-size: 7.5pt; text-align: center; }
figure { margin: 8px 0 14px; page-break-inside: avoid; }
figure svg { width: 100%; height: auto; }
figure svg text { font-family: inherit; }
figcaption { font-weight: 700; font-size: 10pt; margin-bottom: 4px; }
nav ul { columns: 2; font-size: 9.5pt; list-style: none; padding-left: 8px; }
@media print { body { background: #fff; } main { padding: 0; max-width: none; } h2.page { page-break-before: always; } }
`;

function tableHtml(t: ReportTable, showTitle: boolean): string {
  const head = `${showTitle ? `<h3>${esc(t.title)}</h3>` : ''}${t.note ? `<p class="note">${esc(t.note)}</p>` : ''}`;
  if (t.rows.length === 0) return `${head}<p>${esc(t.empty)}</p>`;
  const shadeCol = t.columns.findIndex((c) => c.header === '区分');
  const td = (v: Cell, i: number) => {
    const k = t.columns[i].kind;
    const cls = k === 'int' ? ' class="n"' : t.columns[i].header.includes('SHA-256') ? ' class="hash"' : '';
    return `<td${cls}>${cell(v, k)}</td>`;
  };
  const rows = t.rows
    .map((r) => `<tr${shadeCol >= 0 && r[shadeCol] !== '開庁日' ? ' class="closed"' : ''}>${r.map(td).join('')}</tr>`)
    .join('\n');
  const foot = t.footer ? `<tfoot><tr>${t.footer.map(td).join('')}</tr></tfoot>` : '';
  return `${head}<table data-table="${esc(t.sheet)}"><thead><tr>${t.columns.map((c) => `<th>${esc(c.header)}</th>`).join('')}</tr></thead><tbody>\n${rows}\n</tbody>${foot}</table>`;
}

/** The report as one self-contained HTML page (inline CSS and SVG; prints as A4). */
export function renderHtml(rep: MonthlyReport): string {
  const tables = reportTables(rep);
  const open = rep.ruleResults.reduce((a, r) => a + r.open, 0);
  const actionRequired = rep.findings.filter((f) => f.outcome === 'action_required' && f.status !== 'closed').length;
  const statusLines = rep.completeness.complete
    ? ['対象期間のすべての開庁日について、全システムのログの収集と分析の実施を確認しました。']
    : rep.completeness.notes;
  const cover = `
<section class="cover">
  <p class="made">作成日　${esc(dualDate(rep.madeAt.slice(0, 10)))}<br>${esc(rep.organisation.name)}　${esc(rep.organisation.office)}</p>
  <h1>特定個人情報取扱システム<br>ログ分析結果報告書<small>${esc(reportTitle(rep).slice(REPORT_TITLE.length))}</small></h1>
  <dl>
    <dt>対象期間</dt><dd>${esc(periodText(rep))}</dd>
    <dt>対象システム</dt><dd>${esc(rep.scope.sources.map((s) => s.title).join('、') || '（ログなし）')}</dd>
    <dt>ログ件数</dt><dd data-count="events">${rep.scope.total.toLocaleString('ja-JP')} 件</dd>
    <dt>検知件数</dt><dd data-count="findings">${rep.findings.length.toLocaleString('ja-JP')} 件（要対応 ${actionRequired} 件、未確認・確認中 ${open} 件）</dd>
    <dt>継続案件</dt><dd>${rep.carriedOver.length} 件</dd>
  </dl>
  <div class="status${rep.completeness.complete ? '' : ' incomplete'}" data-complete="${rep.completeness.complete}">
    <strong>${rep.completeness.complete ? 'データの完全性' : '【注意】本報告書は不完全なデータに基づいています'}</strong>
    <ul>${statusLines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>
  </div>
  <table class="approval"><caption style="text-align:left;font-size:9pt">決裁欄</caption>
    <tr>${rep.approvers.map((a) => `<th>${esc(a)}</th>`).join('')}</tr>
    <tr>${rep.approvers.map(() => '<td class="stamp"></td>').join('')}</tr>
    <tr>${rep.approvers.map(() => '<td class="date">令和　年　月　日</td>').join('')}</tr>
  </table>
</section>`;
  const order: SectionKey[] = ['scope', 'rules', 'results', 'findings', 'accounts', 'charts', 'carried', 'integrity', 'usage'];
  const nav = `<nav><h2>目次</h2><ul>${order.map((k) => `<li><a href="#${k}">${esc(SECTIONS[k])}</a></li>`).join('')}</ul></nav>`;
  const body = order
    .map((k) => {
      const parts = [`<h2 id="${k}"${k === 'findings' || k === 'charts' ? ' class="page"' : ''}>${esc(SECTIONS[k])}</h2>`];
      if (k === 'charts') {
        for (const c of reportCharts(rep)) parts.push(`<figure><figcaption>${esc(c.title)}</figcaption>${c.svg}</figure>`);
      }
      if (k === 'integrity') {
        parts.push(
          '<p>各システムのログは取込単位ごとに SHA-256 の連鎖（チェーン）で記録されています。下表の先頭値は <code>kansa verify</code> で再計算して照合できます。報告内容の要約値は、本報告書の内容（作成日時を除く）から計算した SHA-256 で、PDF・HTML・Excel の各形式で同じ値になります。各ファイル自体の SHA-256 は、同じフォルダの「ファイル名.sha256」に記録しています。</p>',
        );
      }
      for (const t of tables.filter((x) => x.section === k)) parts.push(tableHtml(t, t.title !== SECTIONS[k]));
      return parts.join('\n');
    })
    .join('\n');
  return `<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(reportTitle(rep))}</title><style>${CSS}</style></head>
<body><main>${cover}
${nav}
${body}
</main></body></html>
`;
}
