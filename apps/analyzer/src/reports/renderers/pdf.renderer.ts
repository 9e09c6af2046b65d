import SVGtoPDF from 'svg-to-pdfkit';
import { dualDate, eraName } from '../model/era-date';
import type { MonthlyReport } from '../model/report.model';
import { Chart, reportCharts } from './report-charts';
import { pdfDocument } from './pdf-document';
import { REPORT_FONTS } from './report-font';
import {
  Block,
  Cell,
  cellText,
  coverFacts,
  organisationName,
  pdfTable,
  REPORT_TITLE,
  ReportTable,
  reportSections,
  reportTitle,
  RowStyle,
  Section,
} from './report-tables';

export const PDF_FONTS = REPORT_FONTS;

/**
 * What the PDF is: tagged (a structure tree of sections, headings,
 * paragraphs, tables, figures and links; page furniture marked as
 * artifacts), with bookmarks and a linked table of contents, declared
 * PDF/A-2a (ISO 19005-2, level A) and PDF/UA-1 (docs/report.md says how it
 * was checked).
 */
export const PDF_CONFORMANCE = 'PDF/A-2a';

/**
 * PDF/UA-1 identification (ISO 14289-1) in the XMP metadata, with the PDF/A
 * extension schema that PDF/A requires for a property outside its predefined
 * schemas. pdfkit writes one subset's identification; the report is both.
 */
const PDFUA_XMP = `
        <rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
            <pdfuaid:part>1</pdfuaid:part>
        </rdf:Description>
        <rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
            xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
            <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
                <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
                <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
                <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
                <pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
                    <pdfaProperty:name>part</pdfaProperty:name>
                    <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
                    <pdfaProperty:category>internal</pdfaProperty:category>
                    <pdfaProperty:description>Part of ISO 14289 the file conforms to</pdfaProperty:description>
                </rdf:li></rdf:Seq></pdfaSchema:property>
            </rdf:li></rdf:Bag></pdfaExtension:schemas>
        </rdf:Description>`;

/**
 * The regular face is the document's initial font (PDF/A: no font that is not
 * embedded), selected by its path: pdfkit caches a font under the key it was
 * first selected by, and a second name for the same face would re-read the
 * 5 MB file at every selection.
 */
const R = REPORT_FONTS.regular;
const B = 'jp-bold';
const MARGIN = { top: 58, bottom: 54, left: 48, right: 48 };
const INK = '#1a1a1a';
const RULE = '#7a7a7a';
const HEAD_BG = '#e4e9f0';
const RED = '#b00020';
const FILL: Record<Exclude<RowStyle, null>, string> = {
  closed: '#f1f1f1',
  critical: '#fbe3e6',
  high: '#fff0dc',
  urgent: '#fbe3e6',
  warn: '#fff6d6',
  withheld: '#fff6d6',
  subtotal: '#eef1f5',
};

type Doc = PDFKit.PDFDocument;
type Struct = PDFKit.PDFStructureElement;

export interface PdfOptions {
  /** Rows listed of each table at most (report.pdfRowLimit; 0: all). */
  rowLimit: number;
}

/** Renders the report as an A4 PDF (wide sections on landscape pages); resolves to its bytes. */
export async function renderPdf(rep: MonthlyReport, options: PdfOptions): Promise<Buffer> {
  const madeAt = new Date(`${rep.madeAt.replace(' ', 'T')}:00+09:00`);
  const { doc, bytes } = await pdfDocument({
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    autoFirstPage: false,
    pdfVersion: '1.7',
    subset: PDF_CONFORMANCE,
    tagged: true,
    lang: 'ja-JP',
    displayTitle: true,
    // The initial font too is the embedded one: PDF/A allows no font that is not embedded.
    font: REPORT_FONTS.regular,
    info: {
      Title: reportTitle(rep),
      Author: `${organisationName(rep)} ${rep.organisation.office}`,
      Subject: `ログ分析結果報告書 ${rep.month}（${rep.status.label}）${rep.marking ? `【${rep.marking}】` : ''}`,
      Creator: 'kansa',
      CreationDate: madeAt,
      ModDate: madeAt,
    },
  });
  doc.registerFont(B, REPORT_FONTS.bold);
  doc.appendXML(PDFUA_XMP);
  const root = doc.struct('Document');
  doc.addStructure(root);

  newPage(doc, false);
  cover(doc, rep, root);
  newPage(doc, false);
  const toc = doc.struct('TOC');
  root.add(toc);
  const tocPage = pageIndex(doc);

  const entries: TocEntry[] = [];
  const charts = reportCharts(rep);
  for (const s of reportSections(rep)) section(doc, limited(s, options.rowLimit), root, entries, charts);
  tableOfContents(doc, toc, tocPage, entries);
  toc.end();
  root.end();
  pageFurniture(doc, rep);
  doc.end();
  return bytes;
}

interface TocEntry {
  title: string;
  level: number;
  page: number;
  dest: string;
}

/** A section with its tables as the PDF lists them. */
function limited(s: Section, rowLimit: number): Section {
  return { ...s, blocks: s.blocks.map((b) => (b.kind === 'table' ? { ...b, table: pdfTable(b.table, rowLimit) } : b)) };
}

function newPage(doc: Doc, landscape: boolean): void {
  doc.addPage({ size: 'A4', layout: landscape ? 'landscape' : 'portrait', margins: MARGIN });
  doc.fillColor(INK).strokeColor(RULE);
}

function pageIndex(doc: Doc): number {
  const r = doc.bufferedPageRange();
  return r.start + r.count - 1;
}

function width(doc: Doc): number {
  return doc.page.width - MARGIN.left - MARGIN.right;
}

function bottom(doc: Doc): number {
  return doc.page.height - MARGIN.bottom;
}

/** Decoration that carries no content (rules, frames): marked as an artifact for readers of the structure. */
function artifact(doc: Doc, draw: () => void): void {
  doc.markContent('Artifact', { type: 'Layout' });
  draw();
  doc.endMarkedContent();
}

/** A leaf of the structure tree (H1, P, Caption…) whose content `draw` puts on the page. */
function leaf(doc: Doc, parent: Struct, type: string, draw: () => void, options: { alt?: string } = {}): void {
  parent.add(doc.struct(type, options, draw));
}

function para(
  doc: Doc,
  parent: Struct,
  text: string,
  opts: { size?: number; font?: string; color?: string; x?: number; width?: number; type?: string } = {},
): void {
  leaf(doc, parent, opts.type ?? 'P', () => {
    doc
      .font(opts.font ?? R)
      .fontSize(opts.size ?? 9.5)
      .fillColor(opts.color ?? INK)
      .text(text, opts.x ?? MARGIN.left, doc.y, { width: opts.width ?? width(doc) });
  });
  doc.fillColor(INK);
}

function cover(doc: Doc, rep: MonthlyReport, root: Struct): void {
  const part = doc.struct('Sect');
  root.add(part);
  const w = width(doc);
  const x = MARGIN.left;
  if (rep.marking) {
    leaf(doc, part, 'P', () => {
      doc.font(B).fontSize(13);
      const mw = doc.widthOfString(rep.marking) + 24;
      doc.lineWidth(1.6).rect(x, 52, mw, 24).stroke(RED);
      doc.fillColor(RED).text(rep.marking, x, 57, { width: mw, align: 'center' });
    });
  }
  doc.fillColor(INK);
  leaf(doc, part, 'P', () => {
    doc
      .font(R)
      .fontSize(10)
      .text(`作成日　${dualDate(rep.madeAt.slice(0, 10))}`, x, 70, { width: w, align: 'right' });
    doc.text(`${organisationName(rep)}　${rep.organisation.office}`, { width: w, align: 'right' });
  });
  // 速報 / 確定 in a box at the top right.
  leaf(doc, part, 'P', () => {
    const color = rep.status.final ? '#1f4e79' : '#b06000';
    doc.font(B).fontSize(15);
    const bw = doc.widthOfString(rep.status.label) + 22;
    const by = doc.y + 8;
    doc
      .lineWidth(1.6)
      .rect(x + w - bw, by, bw, 26)
      .stroke(color);
    doc.fillColor(color).text(rep.status.label, x + w - bw, by + 4, { width: bw, align: 'center' });
  });
  doc.fillColor(INK);
  leaf(doc, part, 'H1', () => {
    doc.font(B).fontSize(20).text('特定個人情報取扱システム', x, 180, { width: w, align: 'center' });
    doc.fontSize(24).text('ログ分析結果報告書', { width: w, align: 'center' });
    doc.moveDown(0.2).fontSize(16).text(reportTitle(rep).slice(REPORT_TITLE.length), { width: w, align: 'center' });
  });
  artifact(doc, () =>
    doc
      .moveTo(x + 60, doc.y + 10)
      .lineTo(x + w - 60, doc.y + 10)
      .lineWidth(1)
      .stroke(RULE),
  );

  let y = doc.y + 26;
  for (const [k, v] of coverFacts(rep)) {
    leaf(doc, part, 'P', () => {
      doc
        .font(B)
        .fontSize(10.5)
        .text(k, x + 30, y, { width: 80 });
      doc.font(R).text(v, x + 112, y, { width: w - 130 });
    });
    y = Math.max(doc.y, y + 15) + 5;
  }

  // What the report's status is, then the completeness statement: an incomplete month says so on its first page.
  y += 6;
  doc.y = y;
  para(doc, part, rep.status.text, { font: B, size: 9.5, color: rep.status.final ? INK : '#7a4200', x: x + 30, width: w - 60 });
  y = doc.y + 8;
  const boxX = x + 30;
  const boxW = w - 60;
  const c = rep.completeness;
  const lines = c.complete ? ['対象期間のすべての開庁日について、全システムのログの収集と分析の実施を確認しました。'] : c.notes;
  doc.font(R).fontSize(9);
  const textH = lines.reduce((a, l) => a + doc.heightOfString(`・${l}`, { width: boxW - 24 }) + 3, 0);
  const title = c.complete ? 'データの完全性' : '【注意】本報告書は不完全なデータに基づいています';
  artifact(doc, () =>
    doc
      .lineWidth(c.complete ? 0.8 : 1.6)
      .rect(boxX, y, boxW, textH + 32)
      .stroke(c.complete ? RULE : RED),
  );
  doc.y = y + 8;
  para(doc, part, title, { font: B, size: 10, color: c.complete ? INK : RED, x: boxX + 12, width: boxW - 24 });
  doc.y += 3;
  for (const l of lines) {
    para(doc, part, `・${l}`, { size: 9, x: boxX + 12, width: boxW - 24 });
    doc.y += 2;
  }

  // Approval boxes (決裁欄) from the configuration, bottom right, in their order.
  const n = rep.approvers.length;
  const cellW = Math.min(78, (w - 20) / n);
  const bx = x + w - n * cellW;
  // A long title (総務部長（情報セキュリティ責任者）) wraps: the title row grows to hold it.
  const titleH = Math.max(
    20,
    ...rep.approvers.map(
      (a) =>
        doc
          .font(R)
          .fontSize(8.5)
          .heightOfString(a, { width: cellW - 4 }) + 10,
    ),
  );
  const by = doc.page.height - MARGIN.bottom - 140 - Math.max(0, titleH - 20);
  doc.y = by - 16;
  para(doc, part, '決裁欄', { size: 9, x: bx, width: n * cellW });
  const table = doc.struct('Table');
  part.add(table);
  const era = eraName(rep.madeAt.slice(0, 10));
  const rows: Array<{ type: 'TH' | 'TD'; h: number; text: (a: string) => string; fill: string | null; size: number }> = [
    { type: 'TH', h: titleH, text: (a) => a, fill: HEAD_BG, size: 8.5 },
    { type: 'TD', h: 72, text: () => '', fill: null, size: 8.5 },
    { type: 'TD', h: 18, text: () => `${era}　年　月　日`, fill: null, size: 7.5 },
  ];
  let ry = by;
  for (const row of rows) {
    const tr = doc.struct('TR');
    table.add(tr);
    rep.approvers.forEach((a, i) => {
      const cx = bx + i * cellW;
      tr.add(
        doc.struct(row.type, (row.type === 'TH' ? { scope: 'Column' } : {}) as PDFKit.Mixins.StructureElementOptions, () => {
          doc.lineWidth(0.8);
          if (row.fill) doc.rect(cx, ry, cellW, row.h).fillAndStroke(row.fill, RULE);
          else doc.rect(cx, ry, cellW, row.h).stroke(RULE);
          doc
            .fillColor(INK)
            .font(R)
            .fontSize(row.size)
            .text(row.text(a), cx + 2, ry + (row.h > 30 ? 4 : 5), { width: cellW - 4, align: 'center' });
        }),
      );
    });
    tr.end();
    ry += row.h;
  }
  table.end();
  part.end();
}

function heading(doc: Doc, parent: Struct, type: 'H1' | 'H2', title: string): void {
  const size = type === 'H1' ? 13 : 10.5;
  if (type === 'H1') {
    doc.moveDown(0.2);
    const y = doc.y;
    artifact(doc, () => doc.rect(MARGIN.left, y, 4, 16).fill('#1f4e79'));
    doc.fillColor(INK);
    leaf(doc, parent, type, () =>
      doc
        .font(B)
        .fontSize(size)
        .text(title, MARGIN.left + 10, y, { width: width(doc) - 10 }),
    );
    artifact(doc, () =>
      doc
        .moveTo(MARGIN.left, doc.y + 2)
        .lineTo(MARGIN.left + width(doc), doc.y + 2)
        .lineWidth(0.6)
        .stroke(RULE),
    );
    doc.moveDown(0.6);
    return;
  }
  leaf(doc, parent, type, () =>
    doc
      .font(B)
      .fontSize(size)
      .fillColor(INK)
      .text(title, MARGIN.left, doc.y, { width: width(doc) }),
  );
  doc.moveDown(0.15);
}

function ensure(doc: Doc, h: number, landscape: boolean): void {
  if (doc.y + h > bottom(doc)) newPage(doc, landscape);
}

function section(doc: Doc, s: Section, root: Struct, entries: TocEntry[], charts: Chart[]): void {
  newPage(doc, s.wide);
  const dest = `s-${s.key}`;
  doc.addNamedDestination(dest);
  const mark = doc.outline.addItem(s.title);
  entries.push({ title: s.title, level: 0, page: pageIndex(doc), dest });
  const sect = doc.struct('Sect');
  root.add(sect);
  heading(doc, sect, 'H1', s.title);
  for (const b of s.blocks) block(doc, b, s, sect, mark, entries, charts);
  sect.end();
}

function block(doc: Doc, b: Block, s: Section, sect: Struct, mark: PDFKit.PDFOutline, entries: TocEntry[], charts: Chart[]): void {
  if (b.kind === 'table') {
    if (b.table.pdf === false) return;
    const titled = b.table.title !== s.title;
    if (titled) {
      ensure(doc, keepHeight(doc, b.table), s.wide);
      const dest = `t-${b.table.key}`;
      doc.addNamedDestination(dest);
      mark.addItem(b.table.title);
      entries.push({ title: b.table.title, level: 1, page: pageIndex(doc), dest });
    }
    table(doc, b.table, titled, sect, s.wide);
    return;
  }
  if (b.kind === 'chart') {
    chart(doc, charts[b.index], sect, mark, entries, s.wide);
    return;
  }
  ensure(doc, 60, s.wide);
  if (b.title) heading(doc, sect, 'H2', b.title);
  if (b.emphasis) {
    emphasised(doc, b, sect, s.wide);
    return;
  }
  b.lines.forEach((l, i) => {
    const text = b.numbered ? `${i + 1}. ${l}` : l;
    ensure(
      doc,
      doc
        .font(R)
        .fontSize(9.5)
        .heightOfString(text, { width: width(doc) }) + 4,
      s.wide,
    );
    para(doc, sect, text, { font: b.kind === 'text' && b.title?.includes('要約値') && i === 0 ? B : R });
    doc.y += 2;
  });
  doc.moveDown(0.5);
}

/** The status line and the verification verdict: framed, the first line bold. */
function emphasised(doc: Doc, b: Extract<Block, { kind: 'text' }>, sect: Struct, landscape: boolean): void {
  const color =
    b.emphasis === 'verdict-ok' ? '#2e6b30' : b.emphasis === 'verdict-bad' ? RED : /^速報/.test(b.lines[0]) ? '#b06000' : '#1f4e79';
  const w = width(doc) - 24;
  doc.font(R).fontSize(9.5);
  const h =
    b.lines.reduce(
      (a, l, i) =>
        a +
        doc
          .font(i === 0 ? B : R)
          .fontSize(i === 0 ? 10.5 : 9)
          .heightOfString(l, { width: w }) +
        3,
      0,
    ) + 14;
  ensure(doc, h + 8, landscape);
  const y = doc.y;
  artifact(doc, () => doc.lineWidth(1.4).rect(MARGIN.left, y, width(doc), h).stroke(color));
  doc.y = y + 7;
  b.lines.forEach((l, i) => {
    para(doc, sect, l, { font: i === 0 ? B : R, size: i === 0 ? 10.5 : 9, color: i === 0 ? color : INK, x: MARGIN.left + 12, width: w });
    doc.y += 3;
  });
  doc.x = MARGIN.left;
  doc.y = y + h + 10;
}

function chart(doc: Doc, c: Chart, sect: Struct, mark: PDFKit.PDFOutline, entries: TocEntry[], landscape: boolean): void {
  const scale = Math.min(1.1, width(doc) / c.width);
  ensure(doc, c.height * scale + 30, landscape);
  const dest = `c-${c.title.split(' ')[0]}`;
  doc.addNamedDestination(dest);
  mark.addItem(c.title);
  entries.push({ title: c.title, level: 1, page: pageIndex(doc), dest });
  heading(doc, sect, 'H2', c.title);
  const y = doc.y + 2;
  leaf(
    doc,
    sect,
    'Figure',
    () =>
      SVGtoPDF(doc, c.svg, MARGIN.left, y, {
        width: c.width * scale,
        height: c.height * scale,
        fontCallback: () => R,
      }),
    { alt: c.alt },
  );
  doc.x = MARGIN.left;
  doc.y = y + c.height * scale + 12;
}

/** Type size (pt) of SHA-256 values in tables: small enough for 64 characters in two lines, big enough to read. */
const CODE_SIZE = 8;
/** Marks the header row for the cell style (bold, the table's size). */
const HEADER = 'header';
/** Text this wide (pt) or narrower is never wrapped: IDs, times, names. */
const SHORT = 42;

/**
 * Column widths: numbers, dates and short texts get their natural width (no
 * wrapping); longer texts share the rest by their relative width.
 */
function columnWidths(doc: Doc, t: ReportTable, cols: number[], size: number, pad: number, total: number): number[] {
  const sample = t.rows.length > 400 ? t.rows.slice(0, 400) : t.rows;
  const natural = cols.map((ci) => {
    const c = t.columns[ci];
    doc.font(B).fontSize(size);
    let w = Math.max(...c.header.split(/(?<=[）)・])/).map((part) => doc.widthOfString(part)));
    if (c.kind === 'code') return doc.font(R).fontSize(CODE_SIZE).widthOfString('0123abcd '.repeat(4)) + 2 * pad + 1;
    doc.font(R).fontSize(size);
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
    const fits = flexible.filter((i) => natural[i] <= Math.max(share(i), SHORT) || t.columns[cols[i]].kind !== 'text');
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

/** Column layout and measures of a table, shared by drawing and page planning. */
function tableLayout(doc: Doc, t: ReportTable) {
  const total = width(doc);
  const cols = t.columns.map((c, i) => (c.pdf === false ? -1 : i)).filter((i) => i >= 0);
  const size = cols.length > 12 ? 7 : cols.length > 8 ? 7.5 : 8.5;
  const pad = 2.5;
  const widths = columnWidths(doc, t, cols, size, pad, total);
  const pick = (row: Cell[]) => cols.map((ci) => cellText(row[ci], t.columns[ci].kind));
  const style = (i: number, font: string) =>
    font !== HEADER && t.columns[cols[i]].kind === 'code'
      ? doc.font(R).fontSize(CODE_SIZE)
      : doc.font(font === HEADER ? B : font).fontSize(size);
  const rowHeight = (cells: string[], font: string) =>
    Math.max(...cells.map((c, i) => style(i, font).heightOfString(c || ' ', { width: widths[i] - 2 * pad }))) + 2 * pad;
  const headerH = rowHeight(
    cols.map((ci) => t.columns[ci].header),
    HEADER,
  );
  const footerH = t.footer ? rowHeight(pick(t.footer), B) : 0;
  // A short table is kept on one page with its title, rather than leaving its last rows alone on the next.
  const whole = headerH + footerH + t.rows.slice(0, 16).reduce((a, r) => a + rowHeight(pick(r), R), 0);
  const keep = t.rows.length <= 15 ? whole + 50 : headerH + 90;
  return { total, cols, size, pad, widths, pick, style, rowHeight, keep };
}

/** Height to keep together at the top of a table (title, header and, when short, all rows). */
function keepHeight(doc: Doc, t: ReportTable): number {
  return Math.min(tableLayout(doc, t).keep, bottom(doc) - MARGIN.top);
}

/** A table (tagged Table/TR/TH/TD) that breaks across pages, its header row repeated (as an artifact) on each page. */
function table(doc: Doc, t: ReportTable, showTitle: boolean, sect: Struct, landscape: boolean): void {
  const { total, cols, pad, widths, pick, style, rowHeight, keep } = tableLayout(doc, t);
  const numeric = cols.map((ci) => t.columns[ci].kind === 'int');
  const drawCells = (cells: string[], font: string, fill: string | null, y: number, h: number) => {
    let x = MARGIN.left;
    cells.forEach((c, i) => {
      if (fill) doc.rect(x, y, widths[i], h).fill(fill);
      doc.lineWidth(0.4).strokeColor(RULE).rect(x, y, widths[i], h).stroke();
      doc.fillColor(INK);
      style(i, font).text(c, x + pad, y + pad, {
        width: widths[i] - 2 * pad,
        align: numeric[i] && font !== HEADER ? 'right' : 'left',
        lineGap: 0,
      });
      x += widths[i];
    });
  };
  /** One row as TR with a TH or TD per cell (each cell's frame and text inside its own marked content). */
  const taggedRow = (parent: Struct, cells: string[], font: string, fill: string | null, cellType: 'TH' | 'TD') => {
    const h = rowHeight(cells, font);
    const y = doc.y;
    const tr = doc.struct('TR');
    parent.add(tr);
    let x = MARGIN.left;
    cells.forEach((c, i) => {
      const cx = x;
      tr.add(
        // pdfkit writes the scope attribute of a header cell; its types do not list it.
        doc.struct(cellType, (cellType === 'TH' ? { scope: 'Column' } : {}) as PDFKit.Mixins.StructureElementOptions, () => {
          if (fill) doc.rect(cx, y, widths[i], h).fill(fill);
          doc.lineWidth(0.4).strokeColor(RULE).rect(cx, y, widths[i], h).stroke();
          doc.fillColor(INK);
          style(i, font).text(c, cx + pad, y + pad, {
            width: widths[i] - 2 * pad,
            align: numeric[i] && cellType === 'TD' ? 'right' : 'left',
            lineGap: 0,
          });
        }),
      );
      x += widths[i];
    });
    tr.end();
    doc.x = MARGIN.left;
    doc.y = y + h;
  };
  const header = cols.map((ci) => t.columns[ci].header);
  ensure(doc, keep, landscape);
  if (showTitle) heading(doc, sect, 'H2', t.title);
  for (const n of t.notes ?? []) para(doc, sect, n, { size: 8, color: '#444444' });
  doc.fillColor(INK).moveDown(0.25);
  if (t.rows.length === 0) {
    para(doc, sect, t.empty, { size: 9, x: MARGIN.left + 8, width: total - 8 });
    doc.moveDown(0.8);
    return;
  }
  const tbl = doc.struct('Table');
  sect.add(tbl);
  taggedRow(tbl, header, HEADER, HEAD_BG, 'TH');
  const repeatHeader = () => {
    newPage(doc, landscape);
    artifact(doc, () => {
      doc.font(R).fontSize(7.5).fillColor('#555555').text(`${t.title}（続き）`, MARGIN.left, doc.y, { width: total });
      doc.moveDown(0.2);
      const h = rowHeight(header, HEADER);
      drawCells(header, HEADER, HEAD_BG, doc.y, h);
      doc.x = MARGIN.left;
      doc.y += h;
    });
  };
  t.rows.forEach((row, i) => {
    const cells = pick(row);
    if (doc.y + rowHeight(cells, R) > bottom(doc)) repeatHeader();
    const s = t.rowStyles?.[i];
    taggedRow(tbl, cells, R, s ? FILL[s] : null, 'TD');
  });
  if (t.footer) {
    const cells = pick(t.footer);
    if (doc.y + rowHeight(cells, B) > bottom(doc)) repeatHeader();
    taggedRow(tbl, cells, B, HEAD_BG, 'TD');
  }
  tbl.end();
  doc.moveDown(0.9);
}

/** The table of contents on page 2: sections and their parts, with page numbers, each a link to its place. */
function tableOfContents(doc: Doc, toc: Struct, page: number, entries: TocEntry[]): void {
  doc.switchToPage(page);
  doc.x = MARGIN.left;
  doc.y = MARGIN.top;
  const w = width(doc);
  leaf(doc, toc, 'Caption', () => doc.font(B).fontSize(13).fillColor(INK).text('目次', MARGIN.left, doc.y, { width: w }));
  doc.moveDown(0.6);
  for (const e of entries) {
    const size = e.level === 0 ? 10 : 8.5;
    const x = MARGIN.left + e.level * 16;
    const y = doc.y;
    // TOCI > Link: the entry's text and its link annotation in one Link element, the annotation described.
    const item = doc.struct('TOCI');
    toc.add(item);
    const link = doc.struct('Link');
    item.add(link);
    link.add(() => {
      doc
        .font(e.level === 0 ? B : R)
        .fontSize(size)
        .fillColor(INK)
        .text(e.title, x, y, { width: w - (x - MARGIN.left) - 40, lineBreak: false });
      doc.text(String(e.page + 1), MARGIN.left + w - 36, y, { width: 36, align: 'right', lineBreak: false });
    });
    const linkOptions = { structParent: link, Contents: new String(`${e.title}（${e.page + 1}ページ）`) };
    doc.goTo(x, y, MARGIN.left + w - x, size * 1.3, e.dest, linkOptions as unknown as PDFKit.Mixins.AnnotationOption);
    link.end();
    item.end();
    doc.y = y + size * 1.65 + (e.level === 0 ? 3 : 0);
  }
}

/** Running header (title, organisation, marking) on every page but the cover; "n / N" page numbers on all; artifacts. */
function pageFurniture(doc: Doc, rep: MonthlyReport): void {
  const range = doc.bufferedPageRange();
  const n = range.count;
  for (let i = range.start; i < range.start + n; i++) {
    doc.switchToPage(i);
    const saved = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const w = width(doc);
    doc.markContent('Artifact', { type: 'Pagination' });
    if (i > range.start) {
      doc
        .font(R)
        .fontSize(7.5)
        .fillColor('#555555')
        .text(`${reportTitle(rep)}　${organisationName(rep)}　${rep.status.label}`, MARGIN.left, 30, {
          width: w - 80,
          align: 'left',
          lineBreak: false,
        });
      if (rep.marking)
        doc
          .font(B)
          .fontSize(9)
          .fillColor(RED)
          .text(rep.marking, MARGIN.left + w - 120, 28, { width: 120, align: 'right', lineBreak: false });
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
    doc.endMarkedContent();
    doc.page.margins.bottom = saved;
  }
}
