import ExcelJS from 'exceljs';
import { escapeFormulaText } from './cell-escape';
import { dualDate } from '../model/era-date';
import type { MonthlyReport } from '../model/report.model';
import { Cell, CellKind, periodText, reportTables, reportTitle } from './report-tables';

/** 'YYYY-MM-DD[ HH:MM[:SS]]' (JST wall clock) → a Date whose UTC fields carry that wall clock (Excel has no zone). */
function excelDate(text: string): Date {
  const [d, t = '00:00'] = text.split(' ');
  return new Date(`${d}T${t.length === 5 ? `${t}:00` : t}Z`);
}

function value(v: Cell, kind: CellKind): ExcelJS.CellValue {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'number') return v;
  if ((kind === 'date' && /^\d{4}-\d{2}-\d{2}$/.test(v)) || (kind === 'datetime' && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/.test(v)))
    return excelDate(v);
  return escapeFormulaText(v);
}

const NUM_FMT: Partial<Record<CellKind, string>> = { int: '#,##0', date: 'yyyy-mm-dd', datetime: 'yyyy-mm-dd hh:mm' };

/** One sheet per section: typed cells, frozen header row, auto-filter. */
export async function renderXlsx(rep: MonthlyReport): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'kansa';
  wb.title = reportTitle(rep);
  wb.created = excelDate(rep.madeAt);

  const cover = wb.addWorksheet('1 概要', { views: [{ state: 'frozen', ySplit: 1 }] });
  cover.columns = [
    { header: '項目', key: 'k', width: 22 },
    { header: '内容', key: 'v', width: 90 },
  ];
  const open = rep.ruleResults.reduce((a, r) => a + r.open, 0);
  const rows: Array<[string, ExcelJS.CellValue]> = [
    ['表題', reportTitle(rep)],
    ['団体名', escapeFormulaText(rep.organisation.name)],
    ['作成部署', escapeFormulaText(rep.organisation.office)],
    ['作成日', dualDate(rep.madeAt.slice(0, 10))],
    ['作成日時', excelDate(rep.madeAt)],
    ['対象期間', periodText(rep)],
    ['ログ件数', rep.scope.total],
    ['検知件数', rep.findings.length],
    ['未確認・確認中', open],
    ['継続案件', rep.carriedOver.length],
    ['データの完全性', rep.completeness.complete ? '完全（すべての開庁日についてログの収集と分析を確認）' : '不完全'],
    ...rep.completeness.notes.map((n): [string, ExcelJS.CellValue] => ['注意', n]),
    ['報告内容の要約値 (SHA-256)', rep.integrity.dataDigest],
  ];
  for (const [k, v] of rows) {
    const row = cover.addRow({ k, v });
    if (v instanceof Date) row.getCell(2).numFmt = 'yyyy-mm-dd hh:mm';
    if (typeof v === 'number') row.getCell(2).numFmt = '#,##0';
    row.getCell(2).alignment = { horizontal: 'left' };
  }
  styleHeader(cover.getRow(1));

  for (const t of reportTables(rep)) {
    const ws = wb.addWorksheet(t.sheet.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = t.columns.map((c, i) => ({
      header: c.header,
      key: `c${i}`,
      width: Math.max(c.width * 1.3, c.header.length * 2 + 2),
      style: NUM_FMT[c.kind] ? { numFmt: NUM_FMT[c.kind] } : {},
    }));
    for (const r of t.rows) ws.addRow(r.map((v, i) => value(v, t.columns[i].kind)));
    styleHeader(ws.getRow(1));
    ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: Math.max(1, t.rows.length + 1), column: t.columns.length } };
    if (t.footer) {
      // Totals sit below a blank row, outside the filtered range.
      ws.addRow([]);
      const f = ws.addRow(t.footer.map((v, i) => value(v, t.columns[i].kind)));
      f.font = { bold: true };
    }
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function styleHeader(row: ExcelJS.Row): void {
  row.font = { bold: true };
  row.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE4E9F0' } };
  row.alignment = { vertical: 'middle', wrapText: true };
}
