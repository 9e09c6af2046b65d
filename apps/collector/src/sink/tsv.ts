/** TabSeparated escaping for String columns (ClickHouse text format). */
const SPECIAL = /[\\\t\n\r\0]/;
const SPECIAL_G = /[\\\t\n\r\0]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };

export function tsv(value: string): string {
  return SPECIAL.test(value) ? value.replace(SPECIAL_G, (c) => ESCAPES[c]) : value;
}

/** An Array(String) value in TabSeparated: ['a','b'] with quotes escaped. */
export function tsvStringArray(values: readonly string[]): string {
  if (values.length === 0) return '[]';
  return tsv('[' + values.map((v) => "'" + v.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'").join(',') + ']');
}
