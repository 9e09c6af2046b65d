import { parse } from 'csv-parse/sync';
import { MasterKind, MASTERS, optionalColumns } from './masters.types';
import { MASTER_KEY_COLUMNS, MASTER_KEYS, MASTER_ROW_SCHEMAS, MasterRow } from './master-row.schema';

/** One problem in a master file: `staff.csv:14: 退職日: "2025-02-30" 日付ではありません`. */
export interface MasterFileError {
  file: string;
  line: number;
  column?: string;
  value?: string;
  message: string;
}

export function formatMasterError(e: MasterFileError): string {
  const column = e.column ? ` ${e.column}:` : '';
  const value = e.value !== undefined ? ` "${e.value}"` : '';
  return `${e.file}:${e.line}:${column}${value} ${e.message}`;
}

export interface ParsedMasterFile<K extends MasterKind = MasterKind> {
  kind: K;
  file: string;
  rows: MasterRow<K>[];
  errors: MasterFileError[];
}

/** Errors kept per file: enough to fix a file, not a flood. */
export const MAX_ERRORS_PER_FILE = 50;

/**
 * Parses and validates one master CSV (UTF-8, BOM allowed, header exactly as
 * in spec/sources.md). Never throws on bad content: every problem becomes an
 * error with its line and column, and no row of an erroneous file is used.
 */
export function parseMasterFile<K extends MasterKind>(kind: K, content: Buffer, file: string = MASTERS[kind].file): ParsedMasterFile<K> {
  const errors: MasterFileError[] = [];
  const result: ParsedMasterFile<K> = { kind, file, rows: [], errors };
  const push = (e: Omit<MasterFileError, 'file'>) => {
    errors.push({ file, ...e });
  };

  let textContent: string;
  try {
    textContent = new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    push({ line: 1, message: 'UTF-8 ではありません（Shift_JIS で保存された可能性があります。Excel では「CSV UTF-8」で保存してください）' });
    return result;
  }

  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(textContent, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true }) as unknown as typeof records;
  } catch (err) {
    const line = Number((err as { lines?: number }).lines ?? 1);
    push({ line, message: `CSV として読めません: ${(err as Error).message}` });
    return result;
  }
  const required = MASTERS[kind].header as readonly string[];
  const full = [...required, ...optionalColumns(kind)];
  if (records.length === 0) {
    push({ line: 1, message: `見出し行がありません（${full.join(',')}）` });
    return result;
  }
  const header = records[0].record.map((h) => h.trim());
  // The optional trailing columns come all together or not at all.
  const expected = header.join(',') === full.join(',') ? full : required;
  if (header.join(',') !== expected.join(',')) {
    const forms = full.length > required.length ? `${required.join(',')} または ${full.join(',')}` : required.join(',');
    push({ line: 1, message: `見出し行が違います: "${header.join(',')}"（正: ${forms}）` });
    return result;
  }

  const schema = MASTER_ROW_SCHEMAS[kind];
  const keyOf = MASTER_KEYS[kind] as ((row: MasterRow<K>) => string) | undefined;
  const seen = new Map<string, number>();
  let errorCount = 0;
  for (const { record, info } of records.slice(1)) {
    const line = info.lines;
    if (record.every((v) => v.trim() === '')) continue;
    if (record.length !== expected.length) {
      errorCount++;
      if (errors.length < MAX_ERRORS_PER_FILE)
        push({ line, message: `列の数が ${record.length} です（${expected.length} 列: ${expected.join(',')}）` });
      continue;
    }
    const input = Object.fromEntries(expected.map((h, i) => [h, record[i]]));
    const parsed = schema.safeParse(input);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        errorCount++;
        const column = String(issue.path[0] ?? '');
        if (errors.length < MAX_ERRORS_PER_FILE)
          push({ line, column: column || undefined, value: column ? input[column] : undefined, message: issue.message });
      }
      continue;
    }
    const row = parsed.data as MasterRow<K>;
    if (keyOf) {
      const key = keyOf(row);
      const first = seen.get(key);
      if (first !== undefined) {
        errorCount++;
        if (errors.length < MAX_ERRORS_PER_FILE)
          push({ line, column: MASTER_KEY_COLUMNS[kind], value: key, message: `${first} 行目と重複しています` });
        continue;
      }
      seen.set(key, line);
    }
    result.rows.push(row);
  }
  if (errorCount > errors.length) push({ line: 0, message: `ほかに ${errorCount - errors.length} 件の誤りがあります` });
  if (errors.length > 0) result.rows = [];
  return result;
}
