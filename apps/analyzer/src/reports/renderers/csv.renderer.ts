import { stringify } from 'csv-stringify/sync';
import { escapeFormulaText } from './cell-escape';
import type { MonthlyReport } from '../model/report.model';
import { findingsTable } from './report-tables';

/** The findings list as CSV: UTF-8 with BOM (Excel opens it as UTF-8), CRLF, formula text escaped. */
export function renderCsv(rep: MonthlyReport): Buffer {
  const t = findingsTable(rep);
  const records = t.rows.map((r) => r.map((v) => (v === null ? '' : typeof v === 'number' ? String(v) : escapeFormulaText(v))));
  const text = stringify([t.columns.map((c) => c.header), ...records], { record_delimiter: '\r\n', quoted_string: false });
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
}
