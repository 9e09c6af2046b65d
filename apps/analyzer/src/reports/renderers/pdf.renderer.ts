import PDFDocument from 'pdfkit';
import SVGtoPDF from 'svg-to-pdfkit';
import { dirname, join } from 'node:path';
import { dualDate } from '../model/era-date';
import { reportCharts } from './report-charts';
import type { MonthlyReport } from '../model/report.model';
import { Cell, periodText, REPORT_TITLE, ReportTable, reportTables, reportTitle, SECTIONS, SectionKey } from './report-tables';

/**
 * Noto Sans JP (SIL OFL 1.1) from the npm package @expo-google-fonts/noto-sans-jp:
 * embedded (as a subset) in every PDF, so it renders the same on a machine
 * without Japanese fonts.
 */
const FONT_DIR = dirname(require.resolve('@expo-google-fonts/noto-sans-jp/package.json'));
export const PDF_FONTS = {
  regular: join(FONT_DIR, '400Regular', 'NotoSansJP_400Regular.ttf'),
  bold: join(FONT_DIR, '700Bold', 'NotoSansJP_700Bold.ttf'),
};

const R = 'jp';
const B = 'jp-bold';
const MARGIN = { top: 58, bottom: 54, left: 48, right: 48 };
const INK = '#1a1a1a';
const RULE = '#7a7a7a';
const HEAD_BG = '#e4e9f0';
const SHADE = '#f3f3f3';

type Doc = PDFKit.PDFDocument;

/** Renders the report as an A4 portrait PDF; resolves to its bytes. */
export function renderPdf(rep: MonthlyReport): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    autoFirstPage: true,
    info: {
      Title: reportTitle(rep),
      Author: `${rep.organisation.name} ${rep.organisation.office}`,
      Subject: `ログ分析結果報告書 ${rep.month}`,
      Creator: 'kansa',
      CreationDate: new Date(),
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont(R, PDF_FONTS.regular);
  doc.registerFont(B, PDF_FONTS.bold);
  doc.fillColor(INK).strokeColor(RULE);

  cover(doc, rep);
  const tables = reportTables(rep).filter((t) => t.pdf !== false);
  const order: SectionKey[] = ['scope', 'rules', 'results', 'findings', 'accounts', 'charts', 'carried', 'integrity', 'usage'];
  for (const key of order) {
    if (key === 'scope' || key === 'findings' || key === 'charts') doc.addPage();
    const sectionTables = tables.filter((x) => x.section === key);
    const textFirst = key === 'scope' || key === 'charts' || key === 'integrity';
    // The heading stays on the page of what follows it: text, or the first table kept whole.
    sectionHeading(doc, SECTIONS[key], textFirst || sectionTables.length === 0 ? 180 : keepHeight(doc, sectionTables[0]) + 40);
    if (key === 'scope') scopeSummary(doc, rep);
    if (key === 'charts') charts(doc, rep);
    if (key === 'integrity') integrityNote(doc);
    for (const t of sectionTables) table(doc, t, t.title !== SECTIONS[key]);
  }
  pageFurniture(doc, rep);
  doc.end();
  return done;
}

function width(doc: Doc): number {
  return doc.page.width - MARGIN.left - MARGIN.right;
}

function bottom(doc: Doc): number {
  return doc.page.height - MARGIN.bottom;
}

function ensure(doc: Doc, h: number): void {
  if (doc.y + h > bottom(doc)) doc.addPage();
}

function cover(doc: Doc, rep: MonthlyReport): void {
  const w = width(doc);
  const x = MARGIN.left;
  doc
    .font(R)
    .fontSize(10)
    .text(`作成日　${dualDate(rep.madeAt.slice(0, 10))}`, x, 70, { width: w, align: 'right' });
  doc.text(`${rep.organisation.name}　${rep.organisation.office}`, { width: w, align: 'right' });

  doc.font(B).fontSize(20).text('特定個人情報取扱システム', x, 190, { width: w, align: 'center' });
  doc.fontSize(24).text('ログ分析結果報告書', { width: w, align: 'center' });
  doc.moveDown(0.2).fontSize(16).text(reportTitle(rep).slice(REPORT_TITLE.length), { width: w, align: 'center' });
  doc
    .moveTo(x + 60, doc.y + 12)
    .lineTo(x + w - 60, doc.y + 12)
    .lineWidth(1)
    .stroke(RULE);

  doc.font(R).fontSize(10.5);
  const y0 = doc.y + 34;
  const rows: Array<[string, string]> = [
    ['対象期間', periodText(rep)],
    ['対象システム', rep.scope.sources.map((s) => s.title).join('、') || '（ログなし）'],
    ['ログ件数', `${rep.scope.total.toLocaleString('ja-JP')} 件`],
    [
      '検知件数',
      `${rep.findings.length.toLocaleString('ja-JP')} 件（要対応 ${count(rep, 'action_required')} 件、未確認・確認中 ${rep.ruleResults.reduce((a, r) => a + r.open, 0)} 件）`,
    ],
    ['継続案件', `${rep.carriedOver.length} 件`],
    ['作成者', `${rep.organisation.name} ${rep.organisation.office}`],
  ];
  let y = y0;
  for (const [k, v] of rows) {
    doc.font(B).text(k, x + 50, y, { width: 90 });
    doc.font(R).text(v, x + 140, y, { width: w - 160 });
    y = Math.max(doc.y, y + 16) + 6;
  }

  // Completeness statement: an incomplete month says so on its first page.
  y += 14;
  const boxX = x + 30;
  const boxW = w - 60;
  const lines = rep.completeness.complete
    ? ['対象期間のすべての開庁日について、全システムのログの収集と分析の実施を確認しました。']
    : rep.completeness.notes;
  doc.font(R).fontSize(9.5);
  const textH = lines.reduce((a, l) => a + doc.heightOfString(`・${l}`, { width: boxW - 24 }) + 3, 0);
  const title = rep.completeness.complete ? 'データの完全性' : '【注意】本報告書は不完全なデータに基づいています';
  const boxH = textH + 34;
  doc
    .lineWidth(rep.completeness.complete ? 0.8 : 1.6)
    .rect(boxX, y, boxW, boxH)
    .stroke(rep.completeness.complete ? RULE : '#b00020');
  doc
    .font(B)
    .fontSize(10)
    .fillColor(rep.completeness.complete ? INK : '#b00020')
    .text(title, boxX + 12, y + 9, { width: boxW - 24 });
  doc.fillColor(INK).font(R).fontSize(9.5);
  let ly = doc.y + 4;
  for (const l of lines) {
    doc.text(`・${l}`, boxX + 12, ly, { width: boxW - 24 });
    ly = doc.y + 3;
  }

  // Approval boxes (決裁欄), bottom right.
  const n = rep.approvers.length;
  const cellW = 78;
  const bx = x + w - n * cellW;
  const by = doc.page.height - MARGIN.bottom - 150;
  doc
    .font(R)
    .fontSize(9)
    .text('決裁欄', bx, by - 16, { width: n * cellW });
  doc.lineWidth(0.8);
  rep.approvers.forEach((a, i) => {
    const cx = bx + i * cellW;
    doc.rect(cx, by, cellW, 20).fillAndStroke(HEAD_BG, RULE);
    doc
      .fillColor(INK)
      .font(R)
      .fontSize(8.5)
      .text(a, cx, by + 6, { width: cellW, align: 'center' });
    doc.rect(cx, by + 20, cellW, 72).stroke(RULE);
    doc.rect(cx, by + 92, cellW, 18).stroke(RULE);
    doc.fontSize(7.5).text('令和　年　月　日', cx, by + 97, { width: cellW, align: 'center' });
  });
}

function count(rep: MonthlyReport, outcome: string): number {
  return rep.findings.filter((f) => f.outcome === outcome && f.status !== 'closed').length;
}

function sectionHeading(doc: Doc, title: string, keep: number): void {
  // Never a heading alone at the foot of a page: keep room for what follows.
  ensure(doc, Math.min(keep, bottom(doc) - MARGIN.top));
  doc.moveDown(0.6);
  const y = doc.y;
  doc.rect(MARGIN.left, y, 4, 16).fill('#1f4e79');
  doc
    .fillColor(INK)
    .font(B)
    .fontSize(13)
    .text(title, MARGIN.left + 10, y, { width: width(doc) - 10 });
  doc
    .moveTo(MARGIN.left, doc.y + 2)
    .lineTo(MARGIN.left + width(doc), doc.y + 2)
    .lineWidth(0.6)
    .stroke(RULE);
  doc.moveDown(0.6);
}

function paragraph(doc: Doc, text: string, size = 9.5): void {
  doc
    .font(R)
    .fontSize(size)
    .fillColor(INK)
    .text(text, MARGIN.left, doc.y, { width: width(doc) });
  doc.moveDown(0.3);
}

function scopeSummary(doc: Doc, rep: MonthlyReport): void {
  const biz = rep.scope.days.filter((d) => d.businessDay).length;
  paragraph(doc, `対象期間：${periodText(rep)}（${rep.scope.days.length}日間、うち開庁日 ${biz}日）`);
  paragraph(
    doc,
    `対象システム：${rep.scope.sources.map((s) => `${s.title} ${rep.scope.totals[s.id].toLocaleString('ja-JP')}件`).join('、') || 'なし'}　合計 ${rep.scope.total.toLocaleString('ja-JP')}件`,
  );
  paragraph(
    doc,
    rep.scope.missing.length
      ? `ログ未収集：開庁日にログが1件もないシステム・日が ${rep.scope.missing.length} 件あります（2-2）。`
      : 'ログ未収集：ありません。',
  );
}

function integrityNote(doc: Doc): void {
  paragraph(
    doc,
    '各システムのログは取込単位ごとに SHA-256 の連鎖（チェーン）で記録されています。下表の先頭値は `kansa verify` で再計算して照合できます。',
  );
  paragraph(
    doc,
    `報告内容の要約値は、本報告書の内容（作成日時を除く）から計算した SHA-256 で、PDF・HTML・Excel の各形式で同じ値になります。各ファイル自体の SHA-256 は、同じフォルダの「ファイル名.sha256」に記録しています。`,
  );
}

function charts(doc: Doc, rep: MonthlyReport): void {
  for (const c of reportCharts(rep)) {
    const scale = width(doc) / c.width;
    ensure(doc, c.height * scale + 30);
    doc
      .font(B)
      .fontSize(10)
      .fillColor(INK)
      .text(c.title, MARGIN.left, doc.y, { width: width(doc) });
    doc.moveDown(0.3);
    const y = doc.y;
    SVGtoPDF(doc, c.svg, MARGIN.left, y, {
      width: c.width * scale,
      height: c.height * scale,
      fontCallback: () => R,
    });
    doc.x = MARGIN.left;
    doc.y = y + c.height * scale + 12;
  }
}

function cellText(v: Cell, kind: string): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return kind === 'int' ? v.toLocaleString('ja-JP') : String(v);
  return v;
}

/**
 * Column widths: numbers, dates and short texts get their natural width (no
 * wrapping); longer texts share the rest by their relative width.
 */
function columnWidths(doc: Doc, t: ReportTable, cols: number[], size: number, pad: number, total: number): number[] {
  const sample = t.rows.length > 400 ? t.rows.slice(0, 400) : t.rows;
  const natural = cols.map((ci) => {
    const c = t.columns[ci];
    doc.font(B).fontSize(size);
    let w = Math.max(...c.header.split(/(?<=[）)])/).map((part) => doc.widthOfString(part)));
    doc.font(R).fontSize(c.code ? CODE_SIZE : size);
    // Text: the 95th percentile, so one outlier (a long planted value) wraps instead of widening the column.
    // Numbers and dates never wrap.
    const ws = sample.map((r) => doc.widthOfString(cellText(r[ci], c.kind))).sort((a, b) => a - b);
    if (ws.length) w = Math.max(w, c.kind === 'text' ? ws[Math.min(ws.length - 1, Math.floor(ws.length * 0.95))] : ws[ws.length - 1]);
    if (t.footer) w = Math.max(w, doc.widthOfString(cellText(t.footer[ci], c.kind)));
    return w + 2 * pad + 1;
  });
  const sum = natural.reduce((a, b) => a + b, 0);
  if (sum <= total) return natural.map((n) => (n / sum) * total);
  const widths = natural.slice();
  let flexible = cols.map((_, i) => i);
  for (let round = 0; round < 4; round++) {
    const fixed = cols.map((_, i) => i).filter((i) => !flexible.includes(i));
    const room = total - fixed.reduce((a, i) => a + widths[i], 0);
    const weight = flexible.reduce((a, i) => a + t.columns[cols[i]].width, 0);
    const share = (i: number) => (room * t.columns[cols[i]].width) / weight;
    const fits = flexible.filter(
      (i) => natural[i] <= Math.max(share(i), SHORT) || t.columns[cols[i]].kind !== 'text' || t.columns[cols[i]].code,
    );
    if (fits.length === 0) {
      for (const i of flexible) widths[i] = share(i);
      break;
    }
    for (const i of fits) widths[i] = natural[i];
    flexible = flexible.filter((i) => !fits.includes(i));
    if (flexible.length === 0) break;
  }
  const got = widths.reduce((a, b) => a + b, 0);
  return widths.map((w) => (w / got) * total);
}

/** Type size (pt) of long codes (SHA-256) in tables. */
const CODE_SIZE = 6;
/** Marks the header row for the cell style (bold, the table's size). */
const HEADER = 'header';

/** Text this wide (pt) or narrower is never wrapped: IDs, times, names. */
const SHORT = 42;

/** Column layout and measures of a table, shared by drawing and page planning. */
function tableLayout(doc: Doc, t: ReportTable) {
  const total = width(doc);
  const cols = t.columns.map((c, i) => (c.pdf === false ? -1 : i)).filter((i) => i >= 0);
  const size = cols.length > 10 ? 6.5 : cols.length > 7 ? 7.5 : 8.5;
  const pad = 2.5;
  const widths = columnWidths(doc, t, cols, size, pad, total);
  const pick = (row: Cell[]) => cols.map((ci) => cellText(row[ci], t.columns[ci].kind));
  // Header cells at the table's size; codes (SHA-256) smaller and regular, to stay on one line.
  const style = (i: number, font: string) =>
    font !== HEADER && t.columns[cols[i]].code ? doc.font(R).fontSize(CODE_SIZE) : doc.font(font === HEADER ? B : font).fontSize(size);
  const rowHeight = (cells: string[], font: string) =>
    Math.max(...cells.map((c, i) => style(i, font).heightOfString(c || ' ', { width: widths[i] - 2 * pad }))) + 2 * pad;
  const footerH = t.footer ? rowHeight(pick(t.footer), B) : 0;
  // A short table is kept on one page with its title, rather than leaving its last rows alone on the next.
  const whole =
    rowHeight(
      cols.map((ci) => t.columns[ci].header),
      HEADER,
    ) +
    footerH +
    t.rows.slice(0, 16).reduce((a, r) => a + rowHeight(pick(r), R), 0);
  const keep = t.rows.length <= 15 ? whole + 50 : 90;
  return { total, cols, size, pad, widths, pick, style, rowHeight, keep };
}

/** Height to keep together at the top of a table (title, header and, when short, all rows). */
function keepHeight(doc: Doc, t: ReportTable): number {
  return tableLayout(doc, t).keep;
}

/** A table that breaks across pages, its header row repeated on each page. */
function table(doc: Doc, t: ReportTable, showTitle: boolean): void {
  const { total, cols, pad, widths, pick, style, rowHeight, keep } = tableLayout(doc, t);
  const drawRow = (cells: string[], font: string, fill: string | null, numeric: boolean[]) => {
    const h = rowHeight(cells, font);
    const y = doc.y;
    let x = MARGIN.left;
    if (fill) doc.rect(MARGIN.left, y, total, h).fill(fill);
    doc.lineWidth(0.4).strokeColor(RULE);
    doc.fillColor(INK);
    cells.forEach((c, i) => {
      doc.rect(x, y, widths[i], h).stroke();
      style(i, font).text(c, x + pad, y + pad, { width: widths[i] - 2 * pad, align: numeric[i] ? 'right' : 'left', lineGap: 0 });
      x += widths[i];
    });
    doc.x = MARGIN.left;
    doc.y = y + h;
  };
  const header = cols.map((ci) => t.columns[ci].header);
  const headerNumeric = cols.map(() => false);
  const numeric = cols.map((ci) => t.columns[ci].kind === 'int');
  ensure(doc, keep);
  if (showTitle) doc.font(B).fontSize(10).fillColor(INK).text(t.title, MARGIN.left, doc.y, { width: total });
  if (t.note) doc.font(R).fontSize(8).fillColor('#444444').text(t.note, MARGIN.left, doc.y, { width: total });
  doc.fillColor(INK).moveDown(0.25);
  if (t.rows.length === 0) {
    doc
      .font(R)
      .fontSize(9)
      .text(t.empty, MARGIN.left + 8, doc.y, { width: total - 8 });
    doc.moveDown(0.8);
    return;
  }
  drawRow(header, HEADER, HEAD_BG, headerNumeric);
  const shadeCol = header.indexOf('区分');
  for (const row of t.rows) {
    const cells = pick(row);
    const h = rowHeight(cells, R);
    if (doc.y + h > bottom(doc)) {
      doc.addPage();
      doc.font(R).fontSize(7.5).fillColor('#555555').text(`${t.title}（続き）`, MARGIN.left, doc.y, { width: total });
      doc.moveDown(0.2);
      drawRow(header, HEADER, HEAD_BG, headerNumeric);
    }
    const closed = shadeCol >= 0 && cells[shadeCol] !== '開庁日';
    drawRow(cells, R, closed ? SHADE : null, numeric);
  }
  if (t.footer) {
    const cells = pick(t.footer);
    if (doc.y + rowHeight(cells, B) > bottom(doc)) {
      doc.addPage();
      drawRow(header, HEADER, HEAD_BG, headerNumeric);
    }
    drawRow(cells, B, HEAD_BG, numeric);
  }
  doc.moveDown(0.9);
}

/** Running header on every page but the cover; "n / N" page numbers on all. */
function pageFurniture(doc: Doc, rep: MonthlyReport): void {
  const range = doc.bufferedPageRange();
  const n = range.count;
  for (let i = range.start; i < range.start + n; i++) {
    doc.switchToPage(i);
    const saved = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const w = width(doc);
    if (i > range.start) {
      doc
        .font(R)
        .fontSize(7.5)
        .fillColor('#555555')
        .text(`${reportTitle(rep)}　${rep.organisation.name}`, MARGIN.left, 30, { width: w, align: 'left', lineBreak: false });
      doc
        .moveTo(MARGIN.left, 42)
        .lineTo(MARGIN.left + w, 42)
        .lineWidth(0.4)
        .stroke(RULE);
    }
    doc
      .font(R)
      .fontSize(9)
      .fillColor(INK)
      .text(`${i - range.start + 1} / ${n}`, MARGIN.left, doc.page.height - 34, { width: w, align: 'center', lineBreak: false });
    doc.page.margins.bottom = saved;
  }
}
