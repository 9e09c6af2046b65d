/**
 * The one definition of an event's columns as kansa writes them (the
 * `events` table of migration 001 and its staging). Everything that spells
 * out the columns derives from this list: the staging structure and the
 * staged row's order (collector), the INSERT column list, the row digest of
 * the integrity chain, the SQL twins' output, and the test kits' rows.
 *
 * The order is the digest's order: changing it changes every content digest
 * (the chains of stored batches would no longer verify), so a column is only
 * ever appended, with its own migration.
 */
type Kind = 'id' | 'time' | 'text' | 'bool' | 'count' | 'texts';

interface EventColumn<N extends string = string, K extends Kind = Kind> {
  /** The ClickHouse column. */
  readonly name: N;
  readonly kind: K;
  /** The plain ClickHouse type of its staged value (the table may store it as LowCardinality). */
  readonly staged: string;
}

const column = <N extends string, K extends Kind>(name: N, kind: K, staged: string): EventColumn<N, K> => ({ name, kind, staged });

export const EVENT_COLUMNS = [
  column('event_id', 'id', 'FixedString(32)'),
  column('ts', 'time', 'Int64'),
  column('source', 'text', 'String'),
  column('instance', 'text', 'String'),
  column('user_id', 'text', 'String'),
  column('user_name', 'text', 'String'),
  column('department_code', 'text', 'String'),
  column('terminal_id', 'text', 'String'),
  column('client_ip', 'text', 'String'),
  column('action', 'text', 'String'),
  column('screen_id', 'text', 'String'),
  column('business_code', 'text', 'String'),
  column('subject_id', 'text', 'String'),
  column('my_number_shown', 'bool', 'Bool'),
  column('record_count', 'count', 'UInt32'),
  column('reason', 'text', 'String'),
  column('outcome', 'text', 'String'),
  column('object', 'text', 'String'),
  column('source_event_id', 'text', 'String'),
  column('raw', 'text', 'String'),
  column('my_number_hmacs', 'texts', 'Array(String)'),
  column('batch_id', 'text', 'String'),
  column('line_no', 'count', 'UInt64'),
] as const;

type Columns = (typeof EVENT_COLUMNS)[number];
export type EventColumnName = Columns['name'];

type ValueOf<K extends Kind> = K extends 'bool' ? boolean : K extends 'count' ? number : K extends 'texts' ? readonly string[] : string;

/**
 * An event row as kansa inserts it (JSONEachRow): `ts` as JST wall-clock
 * text `YYYY-MM-DD HH:MM:SS.mmm`; `day` and `ingested_at` are the table's
 * defaults.
 */
export type EventRow = { [C in Columns as C['name']]: ValueOf<C['kind']> };

/** The values an INSERT into `events` gives, in the definition's order (the staged rows' names). */
export const EVENT_INSERT_COLUMNS: readonly EventColumnName[] = EVENT_COLUMNS.map((c) => c.name);

/**
 * The column an event's value is inserted into. `raw` is read back from the
 * stored residual since migration 240 (an ALIAS); writers give the line to
 * `raw_input`, from which the table derives what it stores.
 */
export function eventInsertTarget(name: EventColumnName): string {
  return name === 'raw' ? 'raw_input' : name;
}

/** The INSERT column list of `events`, in the definition's order (EVENT_INSERT_COLUMNS' targets). */
export const EVENT_INSERT_TARGETS: readonly string[] = EVENT_INSERT_COLUMNS.map(eventInsertTarget);

/** The stored columns that hold an event's line (migration 240): what an export or a copy moves instead of `raw`. */
export const EVENT_LINE_COLUMNS = ['raw_line', 'raw_residual'] as const;

/**
 * SHA-256 of one stored row over every written column, as a ClickHouse
 * expression (the same at import and at verify: the integrity chain's row
 * digest).
 */
export const EVENT_ROW_DIGEST_SQL = `SHA256(concatWithSeparator('\\x1f', ${EVENT_COLUMNS.map(digestPart).join(', ')}))`;

function digestPart(c: EventColumn): string {
  switch (c.kind) {
    case 'time':
      return `toString(toUnixTimestamp64Milli(${c.name}))`;
    case 'bool':
    case 'count':
      return `toString(${c.name})`;
    case 'texts':
      return `arrayStringConcat(${c.name}, ',')`;
    default:
      return c.name;
  }
}

/**
 * A staged row (the collector's staging, before the commit): every column
 * but `event_id` (computed by ClickHouse at the commit), `ts` as epoch
 * milliseconds (`ts_ms`), then `identity_key` (the source's own ID or a
 * canonical serialization; '' for the line itself) and `origin` (where the
 * line came from).
 */
export const STAGED_COLUMNS = [
  ...EVENT_COLUMNS.filter((c) => c.name !== 'event_id').map((c) => (c.name === 'ts' ? column('ts_ms', 'count', 'Int64') : c)),
  column('identity_key', 'text', 'String'),
  column('origin', 'text', 'String'),
] as const;
export const STAGED_COLUMN_NAMES: readonly string[] = STAGED_COLUMNS.map((c) => c.name);

/** The staged rows' structure for ClickHouse (file() or a staging table). */
export const STAGED_STRUCTURE = STAGED_COLUMNS.map((c) => `${c.name} ${c.staged}`).join(', ');

/** The staged structure before `origin` was staged (format 1: batches staged by older versions). */
export const STAGED_STRUCTURE_V1 = STAGED_COLUMNS.filter((c) => c.name !== 'origin')
  .map((c) => `${c.name} ${c.staged}`)
  .join(', ');

type StagedColumns =
  | Exclude<Columns, { name: 'event_id' | 'ts' }>
  | EventColumn<'ts_ms', 'count'>
  | EventColumn<'identity_key', 'text'>
  | EventColumn<'origin', 'text'>;
export type StagedColumnName = StagedColumns['name'];

/** A staged row by column (rendered to TabSeparated in STAGED_COLUMNS order by the collector). */
export type StagedRow = { [C in StagedColumns as C['name']]: ValueOf<C['kind']> };

/** How each staged column is written, in order: the renderer's plan. */
export const STAGED_PLAN: ReadonlyArray<{ name: StagedColumnName; kind: Kind }> = STAGED_COLUMNS.map((c) => ({
  name: c.name as StagedColumnName,
  kind: c.kind,
}));

/** Default values of an event row (a test kit's starting point). */
export function emptyEventRow(): EventRow {
  const row: Record<string, unknown> = {};
  for (const c of EVENT_COLUMNS) {
    row[c.name] =
      c.kind === 'bool' ? false : c.kind === 'count' ? 0 : c.kind === 'texts' ? [] : c.kind === 'time' ? '1970-01-01 09:00:00.000' : '';
  }
  return row as EventRow;
}

/**
 * The time a commit stamps on every event of its batch (`ingested_at`, JST):
 * chosen once per commit intent and kept through the intent's recovery, so
 * all the rows of a batch carry the same stamp whichever attempt stored
 * them. Epoch milliseconds, inlined as a literal.
 */
export function ingestedAtSql(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) throw new Error(`ingested_at: expected epoch milliseconds, got ${ms}`);
  return `fromUnixTimestamp64Milli(toInt64(${ms}), 'Asia/Tokyo')`;
}

/** The condition that an event carries this commit stamp (`ingested_at`). */
export function stampedSql(ingestedAtMs: number): string {
  return `ingested_at = ${ingestedAtSql(ingestedAtMs)}`;
}

/**
 * The events of one batch (`{batch:String}`), narrowed by the batch's stamp
 * when it is known: its minmax index (migration 210) then passes over the
 * granules of earlier batches, where `batch_id`'s set index cannot (a day
 * filled by many batches holds all of them in every granule), so what a
 * commit reads of its own rows no longer grows with the day (or with the
 * years kept). Batches committed by older versions are found by batch alone.
 */
export function batchEventsSql(ingestedAtMs?: number): string {
  return ingestedAtMs === undefined ? 'batch_id = {batch:String}' : `batch_id = {batch:String} AND ${stampedSql(ingestedAtMs)}`;
}
