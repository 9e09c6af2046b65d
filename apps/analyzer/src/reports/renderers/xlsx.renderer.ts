import type ExcelJS from 'exceljs';
import { PassThrough } from 'node:stream';
import { escapeFormulaText } from './cell-escape';
import { dualDate } from '../model/era-date';
import { RECHECK_STEPS } from '../model/integrity';
import type { MonthlyReport } from '../model/report.model';
import {
  Cell,
  CellKind,
  coverFacts,
  organisationName,
  ReportTable,
  reportSections,
  reportTables,
  reportTitle,
  RowStyle,
} from './report-tables';

/** 'YYYY-MM-DD[ HH:MM[:SS]]' (JST wall clock) → a Date whose UTC fields carry that wall clock (Excel has no zone). */
function excelDate(text: string): Date {
  const [d, t = '00:00'] = text.split(' ');
  return new Date(`${d}T${t.length === 5 ? `${t}:00` : t}Z`);
}

/** 'HH:MM' → the fraction of a day Excel stores a time as. */
function excelTime(text: string): number {
  const [h, m] = text.split(':').map(Number);
  return (h * 60 + m) / 1440;
}

function value(v: Cell, kind: CellKind): ExcelJS.CellValue {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'number') return v;
  if (kind === 'date' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return excelDate(v);
  if (kind === 'datetime' && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/.test(v)) return excelDate(v);
  if (kind === 'time' && /^\d{2}:\d{2}$/.test(v)) return excelTime(v);
  return escapeFormulaText(v);
}

const NUM_FMT: Partial<Record<CellKind, string>> = { int: '#,##0', date: 'yyyy-mm-dd', time: 'hh:mm', datetime: 'yyyy-mm-dd hh:mm' };
const FILL: Record<Exclude<RowStyle, null>, string> = {
  closed: 'FFF1F1F1',
  critical: 'FFFBE3E6',
  high: 'FFFFF0DC',
  urgent: 'FFFBE3E6',
  warn: 'FFFFF6D6',
  withheld: 'FFFFF6D6',
  subtotal: 'FFEEF1F5',
};
/** A table wider than this (characters) is printed landscape. */
const PORTRAIT_CHARS = 110;

/** Where a sheet's header row is: below the marking row when there is one. */
function headerRow(rep: MonthlyReport): number {
  return rep.marking ? 2 : 1;
}

/**
 * A new sheet: the marking in its first row and in the printed header, the
 * header row frozen, A4, fit to the page width (landscape where wide), the
 * header rows repeated on every printed page, page numbers in the footer.
 * The streaming writer writes the sheet's page setup, views and columns with
 * its first row, so they are all given here, before any row.
 */
function addSheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, rep: MonthlyReport, name: string, wide: boolean): ExcelJS.Worksheet {
  const head = headerRow(rep);
  const mark = rep.marking ? `&R&"-,Bold"${rep.marking.replace(/&/g, '&&')}` : '';
  const ws = wb.addWorksheet(name, {
    views: [{ state: 'frozen', ySplit: head }],
    pageSetup: {
      paperSize: 9,
      orientation: wide ? 'landscape' : 'portrait',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      margins: { left: 0.5, right: 0.5, top: 0.7, bottom: 0.6, header: 0.3, footer: 0.3 },
      printTitlesRow: `1:${head}`,
    },
    headerFooter: { oddHeader: `&L${reportTitle(rep).replace(/&/g, '&&')}${mark}`, oddFooter: '&C&P / &N' },
  });
  if (rep.marking) {
    const cell = ws.getCell(1, 1);
    cell.value = `【${rep.marking}】 ${reportTitle(rep)}`;
    cell.font = { bold: true, color: { argb: 'FFB00020' } };
  }
  return ws;
}

/**
 * One sheet per table, then the cover facts and the summary: typed cells,
 * frozen header, auto-filter, print setup. Written by ExcelJS's streaming
 * writer, each row as it is made: the workbook of a month with tens of
 * thousands of findings is never held whole (docs/report.md).
 */
export async function renderXlsx(rep: MonthlyReport): Promise<Buffer> {
  // loaded with the first workbook (~0.3 s): the commands that make none start without it
  const { stream } = (await import('exceljs')).default;
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const wb = new stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: true });
  wb.creator = 'kansa';
  wb.created = excelDate(rep.madeAt);
  (wb as unknown as { title: string }).title = reportTitle(rep);
  coverSheet(wb, rep);
  summarySheet(wb, rep);
  const sections = reportSections(rep);
  for (const t of reportTables(rep)) tableSheet(wb, rep, t, sections.find((s) => s.key === t.section)?.wide ?? false);
  await wb.commit();
  return Buffer.concat(chunks);
}

function textSheet(
  wb: ExcelJS.stream.xlsx.WorkbookWriter,
  rep: MonthlyReport,
  name: string,
  rows: Array<[string, ExcelJS.CellValue]>,
): void {
  const ws = addSheet(wb, rep, name, false);
  const head = headerRow(rep);
  ws.getColumn(1).width = 24;
  ws.getColumn(2).width = 100;
  ws.getRow(head).values = ['項目', '内容'];
  styleHeader(ws.getRow(head));
  for (const [k, v] of rows) {
    const row = ws.addRow([k, v]);
    const c = row.getCell(2);
    if (v instanceof Date) c.numFmt = 'yyyy-mm-dd hh:mm';
    if (typeof v === 'number') c.numFmt = '#,##0';
    c.alignment = { horizontal: 'left', vertical: 'top', wrapText: true };
    row.getCell(1).alignment = { vertical: 'top' };
    row.commit();
  }
  ws.commit();
}

function coverSheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, rep: MonthlyReport): void {
  const v = rep.integrity.verification;
  textSheet(wb, rep, '表紙・概要', [
    ['表題', reportTitle(rep)],
    ['取扱区分', rep.marking || '（指定なし）'],
    ['報告書の状態', rep.status.text],
    ['団体名', escapeFormulaText(organisationName(rep))],
    ['作成部署', escapeFormulaText(rep.organisation.office)],
    ['作成日', dualDate(rep.madeAt.slice(0, 10))],
    ['作成日時', excelDate(rep.madeAt)],
    ...coverFacts(rep)
      .filter(([k]) => k !== '作成')
      .map(([k, x]): [string, ExcelJS.CellValue] => [k, x]),
    ['ログ件数（数値）', rep.scope.total],
    ['検知件数（数値）', rep.findings.length],
    ['決裁欄', rep.approvers.join(' → ')],
    ['データの完全性', rep.completeness.complete ? '完全（すべての開庁日についてログの収集と分析を確認）' : '不完全'],
    ...rep.completeness.notes.map((n): [string, ExcelJS.CellValue] => ['注意', n]),
    ['検証結果', v.verdict],
    ...v.details.map((d): [string, ExcelJS.CellValue] => ['', d]),
    ['報告内容の要約値 (SHA-256)', rep.integrity.dataDigest],
    ...RECHECK_STEPS.map((s, i): [string, ExcelJS.CellValue] => [i === 0 ? '再検証の方法' : '', `${i + 1}. ${s}`]),
  ]);
}

function summarySheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, rep: MonthlyReport): void {
  textSheet(
    wb,
    rep,
    '1 総括・所見',
    rep.summary.paragraphs.flatMap((p) =>
      p.lines.map((l, i): [string, ExcelJS.CellValue] => [i === 0 ? p.heading : '', escapeFormulaText(l)]),
    ),
  );
}

function tableSheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, rep: MonthlyReport, t: ReportTable, wideSection: boolean): void {
  const chars = t.columns.reduce((a, c) => a + Math.max(c.width, [...c.header].length * 2), 0);
  const ws = addSheet(wb, rep, t.sheet.slice(0, 31), wideSection || chars > PORTRAIT_CHARS);
  const head = headerRow(rep);
  t.columns.forEach((c, i) => {
    const column = ws.getColumn(i + 1);
    column.width = Math.min(80, Math.max(c.width * 1.25, [...c.header].length * 2 + 2));
    if (NUM_FMT[c.kind]) column.numFmt = NUM_FMT[c.kind]!;
    if (c.kind === 'text' && c.width >= 20) column.alignment = { wrapText: true, vertical: 'top' };
  });
  ws.getRow(head).values = t.columns.map((c) => c.header);
  styleHeader(ws.getRow(head));
  t.rows.forEach((r, i) => {
    const row = ws.addRow(r.map((v, k) => value(v, t.columns[k].kind)));
    const style = t.rowStyles?.[i];
    if (style) row.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: FILL[style] } };
    row.commit();
  });
  ws.autoFilter = { from: { row: head, column: 1 }, to: { row: Math.max(head, head + t.rows.length), column: t.columns.length } };
  if (t.rows.length === 0) ws.addRow([t.empty]);
  if (t.footer) {
    // Totals sit below a blank row, outside the filtered range.
    ws.addRow([]);
    ws.addRow(t.footer.map((v, i) => value(v, t.columns[i].kind))).font = { bold: true };
  }
  if (t.notes?.length) {
    ws.addRow([]);
    for (const n of t.notes) ws.addRow([escapeFormulaText(n)]);
  }
  ws.commit();
}

function styleHeader(row: ExcelJS.Row): void {
  row.font = { bold: true };
  row.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE4E9F0' } };
  row.alignment = { vertical: 'middle', wrapText: true };
}
