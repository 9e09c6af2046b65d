import { STAGED_COLUMNS, StagedColumnName } from '@kansa/storage';
import { MAX_JSON_DEPTH } from './json-depth';

/**
 * The SQL twin of a CSV source system's zod schema and mapper: ClickHouse
 * normalizes the plain lines of a batch itself (split, validate, map), so the
 * JavaScript side only frames, decodes and masks them (docs/collector.md
 * "ClickHouse parses").
 *
 * The twin may be stricter than zod, never looser: a line whose `ok` is false
 * goes back through zod, which gives the authoritative field and reason (or
 * accepts it after all). A line whose `ok` is true must be one zod accepts
 * with exactly the values given here (checked by sql-normalizer.int-spec.ts
 * on random lines).
 */
export interface SqlNormalizer {
  /** Expressions over `raw` (the line) and the `prelude`'s aliases, one per normalized column. */
  readonly columns: Readonly<Record<SqlEventColumn, string>>;
  /** True where the line is one zod accepts with these values. */
  readonly ok: string;
  /** Expressions computed once per line for the others, e.g. `splitByChar(',', raw) AS c`. */
  readonly prelude?: string;
  /** Whether a plain line may hold quotes (JSON) or not (CSV: quoted fields are left to JavaScript). */
  readonly quotes: boolean;
}

/**
 * The normalized columns a twin computes (the rest of a staged row is the
 * batch's). source_event_id is also the identity when it is not empty, as in
 * RecordProcessor.
 */
export type SqlEventColumn = Exclude<StagedColumnName, keyof BatchColumns>;

/** The staged columns that are the batch's or the line's own, not the twin's: how a normalized row gets them. */
type BatchColumns = Record<'source' | 'instance' | 'raw' | 'my_number_hmacs' | 'batch_id' | 'line_no' | 'identity_key' | 'origin', string>;

function batchColumns(batch: { source: string; instance: string; batch: string }): BatchColumns {
  return {
    source: sqlString(batch.source),
    instance: sqlString(batch.instance),
    raw: 'raw',
    my_number_hmacs: '[]::Array(String)',
    batch_id: sqlString(batch.batch),
    line_no: 'line_no',
    identity_key: 'source_event_id',
    origin: 'origin',
  };
}

/** A ClickHouse string literal. */
export function sqlString(value: string): string {
  return "'" + value.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'";
}

/** A ClickHouse Array(String) literal. */
export function sqlStrings(values: readonly string[]): string {
  return '[' + values.map(sqlString).join(', ') + ']::Array(String)';
}

/** A field check and the value it yields, built from the column's expression. */
export interface SqlField {
  ok(x: string): string;
  value(x: string): string;
}

/**
 * Builds a twin over the configured header: `column(name)` is the expression
 * of a header column; `check(name, field)` adds its validation to `ok` and
 * returns its value. Lines holding a quote are left to zod (CSV quoting).
 */
export class CsvSqlBuilder {
  private readonly checks: string[];

  constructor(private readonly header: readonly string[]) {
    this.checks = ["position(raw, '\"') = 0", `length(c) = ${header.length}`];
  }

  column(name: string | undefined): string {
    if (!name) return "''";
    const i = this.header.indexOf(name);
    if (i < 0) throw new Error(`column ${name} is not in the header`);
    return `c[${i + 1}]`;
  }

  /** The column's validated value ('' for a column the mapping leaves out). */
  check(name: string | undefined, field: SqlField): string {
    if (!name) return "''";
    const x = this.column(name);
    this.checks.push(field.ok(x));
    return field.value(x);
  }

  build(columns: Omit<Record<SqlEventColumn, string>, 'source_event_id'>): SqlNormalizer {
    return { columns: { ...columns, source_event_id: "''" }, ok: allOf(this.checks), prelude: "splitByChar(',', raw) AS c", quotes: false };
  }
}

/**
 * Builds a twin over a JSON object per line: `check(key, field, type)` adds
 * the key's JSON type and its validation to `ok` and returns its value;
 * `optional` keys may be absent (their value is then ''). Lines with a
 * backslash (JSON escapes) or a key given twice are left to zod (JSON.parse
 * takes the last of duplicates).
 */
export class JsonSqlBuilder {
  private readonly checks = [
    "position(raw, '\\\\') = 0",
    "JSONType(raw) = 'Object'",
    'length(JSONExtractKeys(raw)) = length(arrayDistinct(JSONExtractKeys(raw)))',
    // No deeper than MAX_JSON_DEPTH (json-depth.ts): at most that many opening brackets at all (a stricter bound).
    `countMatches(raw, '[\\\\[{]') <= ${MAX_JSON_DEPTH}`,
  ];

  /** A string value that must be there. */
  check(key: string | undefined, field: SqlField): string {
    if (!key) return "''";
    const k = sqlString(key);
    this.checks.push(`JSONType(raw, ${k}) = 'String'`, field.ok(`JSONExtractString(raw, ${k})`));
    return field.value(`JSONExtractString(raw, ${k})`);
  }

  /** A string value that may be absent ('' then). */
  optional(key: string | undefined, field: SqlField): string {
    if (!key) return "''";
    const k = sqlString(key);
    const x = `JSONExtractString(raw, ${k})`;
    this.checks.push(`(NOT JSONHas(raw, ${k}) OR (JSONType(raw, ${k}) = 'String' AND ${field.ok(x)}))`);
    return field.value(x);
  }

  /** A JSON integer (not a string, not a fraction) within [0, 4294967295]. */
  count(key: string): string {
    const k = sqlString(key);
    this.checks.push(
      `JSONType(raw, ${k}) IN ('Int64', 'UInt64') AND JSONExtractInt(raw, ${k}) >= 0 AND JSONExtractUInt(raw, ${k}) <= 4294967295`,
    );
    return `JSONExtractUInt(raw, ${k})`;
  }

  build(columns: Record<SqlEventColumn, string>): SqlNormalizer {
    return { columns, ok: allOf(this.checks), quotes: true };
  }
}

/** ifNull: a check that yields NULL (an unparsable time) means "not ok", never "unknown". */
function allOf(checks: string[]): string {
  return `ifNull(${checks.map((c) => `(${c})`).join(' AND ')}, false)`;
}

/**
 * Staged lines (line_no, origin, from_text, raw) read from `from` — UTF-8
 * bytes as received, to be checked here (isValidUTF8), or text decoded and
 * masked by kansa (from_text) — normalized by the twin into staged event rows
 * (the staging columns) plus `origin`, `ok`, and for refused lines their
 * bytes as staged (`refused_raw`) and `from_text`; source, instance and
 * batch are the batch's (written as literals: no query parameters).
 * `checks`: a further condition over the normalized row (event-checks.ts)
 * that every accepted line must meet.
 */
export function normalizedLinesSql(
  sql: SqlNormalizer,
  from: string,
  batch: { source: string; instance: string; batch: string; checks?: string },
): string {
  const own = batchColumns(batch);
  // The staged columns in their order (@kansa/storage STAGED_COLUMNS), the twin's typed as staged.
  const columns = STAGED_COLUMNS.map((c) => {
    const expr = c.name in own ? own[c.name as keyof BatchColumns] : sql.columns[c.name as SqlEventColumn];
    const typed = c.kind === 'text' || c.kind === 'texts' || c.name in own ? expr : `to${c.staged}(${expr})`;
    return typed === c.name ? c.name : `${typed} AS ${c.name}`;
  });
  return `SELECT ${columns.join(', ')},
      (from_text OR isValidUTF8(raw)) AND ${sql.ok}${batch.checks ? ` AND ifNull(${batch.checks}, false)` : ''} AS ok, from_text, if(ok, '', raw) AS refused_raw
    FROM (SELECT line_no, origin, from_text, raw${sql.prelude ? `, ${sql.prelude}` : ''} FROM ${from})`;
}
