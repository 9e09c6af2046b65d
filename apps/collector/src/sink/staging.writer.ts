import { ClickHouseClient } from '@clickhouse/client';
import {
  EVENT_INSERT_COLUMNS,
  EVENT_INSERT_TARGETS,
  INGEST_STAGING_PREFIX,
  ingestedAtSql,
  quoteIdentifier,
  STAGED_COLUMN_NAMES,
  STAGED_STRUCTURE,
  STAGED_STRUCTURE_V1,
  storageCall,
  TABLES,
} from '@kansa/storage';
import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { APART_COLUMNS, LINE_COLUMNS, QUARANTINE_COLUMNS, STAGED_APART_COLUMNS } from '../pipeline/record-processor';
import { normalizedLinesSql, SqlNormalizer, sqlString } from '../source-systems/shared/sql-normalizer';
import { storedShares } from './stored-shares';

/**
 * The staged files' format: a commit intent records it, so a batch staged by
 * an older kansa (an intent left across an upgrade) is read as it was
 * written. Format 2 stages each line's `origin`; format 3 the lines kept
 * apart; format 4 their day (the JST day of the record's own time).
 */
export const STAGING_FORMAT = 4;
const LINES_STRUCTURE = 'line_no UInt64, origin String, from_text UInt8, raw String';
const QUARANTINE_STRUCTURE =
  'quarantine_id String, batch_id String, source String, instance String, origin String, line_no UInt64, ' +
  'field String, reason String, raw String, raw_bytes_b64 String';
const APART_HEAD = 'apart_id String, batch_id String, source String, instance String, origin String, line_no UInt64, label String';

/**
 * A batch's rows wait until the batch is complete (a file of several GB keeps
 * memory flat); then one INSERT … SELECT moves the new events into `events`
 * (duplicates within the batch and against stored events are left out) and
 * the quarantined lines into `quarantine`. A batch that fails midway stores
 * nothing of the batch; the batches of a long file commit one by one.
 *
 * Where they wait: with the embedded engine, in TabSeparated files in the
 * data directory's staging folder that ClickHouse reads with file() (measured ~3× faster
 * than inserting through the in-process connection); with a ClickHouse
 * server, in per-batch staging tables filled over HTTP.
 *
 * event_id = hex of the first 16 bytes of SHA-256(source \0 instance \0 key),
 * key = the source's own ID (chukan serial, canonical sourceEventId) or else
 * the stored (masked) raw line; computed by ClickHouse while moving the rows.
 */
export class StagingBatch {
  private readonly carrier: Carrier;
  /** The batch's normalized lines (the SQL twin's work, done once per batch). */
  private readonly heldLines: HeldRows;
  /**
   * The event rows JavaScript staged, with their IDs and days, while a
   * commit runs: the insert reads them twice (the rows, and their IDs to
   * bound the duplicate check), and a staged file read twice was parsed and
   * hashed twice (~1 s of engine time a million Windows events). Only rows
   * of at least HOLD_BYTES are held: for a small batch (an HTTP request's)
   * creating and dropping the table costs more than a second read.
   */
  private readonly heldEvents: HeldRows;
  /** The kept-apart rows while they are inserted (from HOLD_BYTES too). */
  private readonly heldApart: HeldRows;
  /** Bytes of event rows and of kept-apart rows this process staged (0 for a batch staged by an earlier process). */
  private readonly stagedBytes = { events: 0, apart: 0 };

  /**
   * `stagingDir`: where an embedded engine's batches wait (undefined with a
   * ClickHouse server). `lean`: the source's SQL twin, which normalizes the
   * batch's plain lines (appendLines) in ClickHouse. `format`: the staged
   * files' format (STAGING_FORMAT; older intents name theirs).
   */
  constructor(
    readonly client: ClickHouseClient,
    readonly batchId: string,
    stagingDir: string | undefined,
    private readonly lean?: LeanSource,
    format = STAGING_FORMAT,
  ) {
    this.carrier = stagingDir ? new FileCarrier(stagingDir, batchId, format) : new TableCarrier(client, batchId, format);
    this.heldLines = new HeldRows(HELD_PREFIX + batchId);
    this.heldEvents = new HeldRows(`${HELD_PREFIX}${batchId}_events`);
    this.heldApart = new HeldRows(`${HELD_PREFIX}${batchId}_apart`);
  }

  /** Whether the batch's staged rows are (still) there: its files in the staging folder, or its tables on the server. */
  isStaged(): Promise<boolean> {
    return storageCall(() => this.carrier.exists());
  }

  create(): Promise<void> {
    return storageCall(() => this.carrier.create());
  }

  appendEvents(rows: Buffer | string): Promise<void> {
    this.stagedBytes.events += rows.length;
    return rows.length === 0 ? Promise.resolve() : storageCall(() => this.carrier.append('events', rows));
  }

  appendQuarantine(rows: Buffer | string): Promise<void> {
    return rows.length === 0 ? Promise.resolve() : storageCall(() => this.carrier.append('quarantine', rows));
  }

  appendApart(rows: Buffer | string): Promise<void> {
    this.stagedBytes.apart += rows.length;
    return rows.length === 0 ? Promise.resolve() : storageCall(() => this.carrier.append('apart', rows));
  }

  /** Plain lines (PlainLineRows) for the SQL twin to normalize. */
  appendLines(rows: Buffer | string): Promise<void> {
    return rows.length === 0 ? Promise.resolve() : storageCall(() => this.carrier.append('lines', rows));
  }

  /**
   * Runs the SQL twin over the staged lines (once: the normalized rows and
   * their IDs are held in memory for the commit), on `client` (a second
   * connection lets it run while the previous batch commits): the JST days of the lines
   * it accepts (the commit's duplicate scope) and the lines it refuses, which
   * go back through zod (their events or quarantine rows are appended to this
   * batch before the commit).
   */
  async checkLines(client: ClickHouseClient = this.client): Promise<{ days: string[]; refused: RefusedLine[] }> {
    if (!this.lean) return { days: [], refused: [] };
    await this.holdLines(client);
    const rs = await storageCall(() =>
      client.query({
        query: `SELECT groupUniqArrayIf(toString(toDate(fromUnixTimestamp64Milli(ts_ms, 'Asia/Tokyo'))), ok) AS days,
            arraySort((r) -> r.1, groupArrayIf((line_no, origin, from_text, base64Encode(refused_raw)), NOT ok)) AS refused
          FROM ${this.heldLines.name}`,
        format: 'JSONEachRow',
      }),
    );
    const [r] = await rs.json<{ days: string[]; refused: Array<[string | number, string, number, string]> }>();
    return {
      days: r.days,
      refused: r.refused.map(([lineNo, origin, fromText, raw]) => ({
        lineNo: Number(lineNo),
        origin,
        fromText: Number(fromText) === 1,
        raw: Buffer.from(raw, 'base64'),
      })),
    };
  }

  /** Everything staged is readable by ClickHouse, and held for the commit (the twin's rows normalized again after a restart). */
  async prepare(): Promise<void> {
    await storageCall(() => this.carrier.seal());
    if (this.lean && !this.heldLines.held) await this.holdLines();
    if (!this.heldEvents.held && this.stagedBytes.events >= HOLD_BYTES) await this.heldEvents.hold(this.client, this.stagedEvents());
  }

  /**
   * Inserts the batch's new events (those of `lines` only, when given) into
   * `events`: duplicates within the batch and against stored events are left
   * out, so it can run again. `sources` and `days` (JST) of the staged events
   * bound the duplicate check. A batch that spans more months than one INSERT
   * may write partitions (a backfill of years) is inserted a group of months
   * at a time.
   */
  async insertEvents(scope: CommitScope, lines?: LineRange): Promise<void> {
    if (scope.sources.length === 0) return;
    const groups = monthGroups(scope.days);
    for (let i = 0; i < groups.length; i++) {
      // The last group takes every row not taken before, so no staged row is left out whatever its day.
      const rows = groups.length === 1 ? '' : i < groups.length - 1 ? 'day IN {days:Array(Date)}' : 'day NOT IN {earlier:Array(Date)}';
      const params = { sources: scope.sources, days: groups[i], earlier: groups.slice(0, i).flat() };
      await storageCall(() => this.client.command({ query: this.insertEventsSql(rows, lines, scope.ingestedAtMs), query_params: params }));
    }
  }

  /**
   * The INSERT of insertEvents, for the staged rows that pass `filter`. The
   * stored IDs looked up are only those of these rows: the set held in
   * memory is bounded by the batch, not by what a day holds.
   * use_index_for_in_with_subqueries = 0: analysing the index against a set
   * of 100k IDs costs more than reading the day's IDs (measured 210–300 ms
   * against 40 ms per 100k). optimize_on_insert = 0: the rows are already
   * distinct (LIMIT 1 BY), ReplacingMergeTree need not merge them again while
   * inserting (~3× faster inserts).
   */
  private insertEventsSql(filter: string, lines?: LineRange, ingestedAtMs?: number): string {
    const where = [filter, lines ? `line_no BETWEEN ${lines.from} AND ${lines.to}` : ''].filter(Boolean);
    const rows = where.length ? `(SELECT * FROM ${this.stagedRows()} WHERE ${where.join(' AND ')})` : this.stagedRows();
    const [stampColumn, stamp] = ingestedAtMs === undefined ? ['', ''] : [', ingested_at', `, ${ingestedAtSql(ingestedAtMs)}`];
    return `INSERT INTO ${TABLES.events} (${EVENT_INSERT_TARGETS.join(', ')}${stampColumn})
      SELECT ${INSERTED_VALUES}${stamp} FROM ${rows}
      WHERE event_id NOT IN (
        SELECT event_id FROM ${TABLES.events}
        WHERE source IN {sources:Array(String)} AND day IN {days:Array(Date)}
          AND event_id IN (SELECT event_id FROM ${rows})
      )
      LIMIT 1 BY event_id
      SETTINGS optimize_on_insert = 0, use_index_for_in_with_subqueries = 0`;
  }

  /** The staged event rows with their IDs and JST day: those staged by JavaScript (held while committing) and those the twin accepted. */
  private stagedRows(): string {
    const staged = this.heldEvents.held ? `SELECT * FROM ${this.heldEvents.name}` : this.stagedEvents();
    if (!this.lean) return `(${staged})`;
    return `(${staged} UNION ALL
      SELECT event_id, toDate(fromUnixTimestamp64Milli(ts_ms, 'Asia/Tokyo')) AS day, * EXCEPT (event_id, ok, from_text, refused_raw) FROM ${this.heldLines.name} WHERE ok)`;
  }

  /** The event rows JavaScript staged, with their IDs and JST day, read from where they wait. */
  private stagedEvents(): string {
    return `SELECT ${EVENT_ID} AS event_id, toDate(fromUnixTimestamp64Milli(ts_ms, 'Asia/Tokyo')) AS day, * FROM ${this.carrier.source('events')}`;
  }

  /** The lowest and highest line number of the staged events, and how many there are (null when none). */
  async eventLines(): Promise<(LineRange & { count: number }) | null> {
    const rs = await storageCall(() =>
      this.client.query({
        query: `SELECT count() AS n, min(line_no) AS lo, max(line_no) AS hi FROM ${this.stagedRows()}`,
        format: 'JSONEachRow',
      }),
    );
    const [r] = await rs.json<{ n: string; lo: string; hi: string }>();
    return Number(r.n) === 0 ? null : { from: Number(r.lo), to: Number(r.hi), count: Number(r.n) };
  }

  /** Inserts the quarantined lines staged with the batch (those already there are left out). */
  insertQuarantine(): Promise<void> {
    return this.insertRows('quarantine', TABLES.quarantine, QUARANTINE_COLUMNS);
  }

  /**
   * Inserts the lines kept apart with the batch, identified by their content
   * (APART_ID, as events are): those stored before — by this batch run
   * again, or by an earlier sending of the same file — are left out, and a
   * line twice in the batch is stored once. The same record has the same
   * day, so the stored ones are looked up on the batch's days only (and
   * among rows without a day: stored before format 4, or without a time).
   */
  async insertApart(): Promise<void> {
    // Read three times below: held in memory (unless few), the staged file parsed and hashed once.
    const staged = `SELECT * REPLACE (${APART_ID} AS apart_id) FROM ${this.carrier.source('apart')}`;
    const hold = this.stagedBytes.apart >= HOLD_BYTES;
    if (hold) await this.heldApart.hold(this.client, staged);
    const held = hold ? this.heldApart.name : `(${staged})`;
    try {
      await storageCall(() =>
        this.client.command({
          query: `INSERT INTO ${TABLES.eventsApart} (${APART_COLUMNS.join(', ')})
            SELECT ${APART_COLUMNS.join(', ')} FROM ${held}
            WHERE apart_id NOT IN (
              SELECT apart_id FROM ${TABLES.eventsApart}
              WHERE source IN (SELECT source FROM ${held})
                AND (day IN (SELECT day FROM ${held}) OR day = toDate(0))
                AND apart_id IN (SELECT apart_id FROM ${held})
            )
            LIMIT 1 BY apart_id`,
        }),
      );
    } finally {
      await this.heldApart.release(this.client);
    }
  }

  /** Rows staged as they are stored (quarantine, kept apart): idempotent by their ID, the first column. */
  private async insertRows(part: Part, table: string, columns: readonly string[]): Promise<void> {
    const id = columns[0];
    await storageCall(() =>
      this.client.command({
        query: `INSERT INTO ${table} (${columns.join(', ')})
          SELECT ${columns.join(', ')} FROM ${this.carrier.source(part)}
          WHERE ${id} NOT IN (SELECT ${id} FROM ${table} WHERE batch_id = {batch:String})`,
        query_params: { batch: this.batchId },
      }),
    );
  }

  /**
   * Quarantines a staged event row that storage refuses (a poison line found
   * by BatchCommitter): the masked line as staged, with the field and the
   * reason; `source` is the batch's, `origin` stands for lines staged
   * without their own (file lines). Idempotent.
   */
  async quarantineEvent(line: { lineNo: number; source: string; origin: string; field: string; reason: string }): Promise<void> {
    await storageCall(() =>
      this.client.command({
        query: `INSERT INTO ${TABLES.quarantine} (${QUARANTINE_COLUMNS.join(', ')})
          SELECT concat(batch_id, ':', toString(line_no)), batch_id, {source:String}, instance, if(origin = '', {origin:String}, origin),
            line_no, {field:String}, {reason:String}, raw, ''
          FROM ${this.stagedRows()}
          WHERE line_no = {line:UInt64}
            AND concat(batch_id, ':', toString(line_no)) NOT IN (SELECT quarantine_id FROM ${TABLES.quarantine} WHERE batch_id = {batch:String})
          LIMIT 1`,
        query_params: {
          batch: this.batchId,
          source: line.source,
          origin: line.origin,
          field: line.field,
          reason: line.reason,
          line: line.lineNo,
        },
      }),
    );
  }

  /** Frees the held rows (the staged files or tables stay until drop()). */
  async release(): Promise<void> {
    await this.heldLines.release(this.client);
    await this.heldEvents.release(this.client);
  }

  async drop(): Promise<void> {
    await this.release();
    await storageCall(() => this.carrier.drop());
  }

  /** Embedded engine: moves the staged files into `dir` (a batch set aside); a server keeps its staging tables where they are. */
  async moveTo(dir: string): Promise<void> {
    await this.release();
    await storageCall(() => this.carrier.moveTo(dir));
  }

  /**
   * Drops whatever an earlier attempt held for this batch (a commit that
   * storage failed in the middle of, or a process that died: on a server the
   * Memory tables outlive it; the embedded engine's are dropped at start).
   * Whoever completes or replays a batch that an earlier attempt committed
   * calls this first: holding does not look for a table of the same name.
   */
  async dropLeftovers(): Promise<void> {
    for (const rows of [this.heldLines, this.heldEvents, this.heldApart]) await rows.dropLeftover(this.client);
  }

  /**
   * Normalizes the staged lines with the SQL twin into a Memory table: the
   * staged event rows with their IDs, `origin` and `ok` (normalizing and
   * hashing are the costly part; done once per batch).
   */
  private async holdLines(client = this.client): Promise<void> {
    const lean = this.lean as LeanSource;
    await this.heldLines.hold(
      client,
      `SELECT ${EVENT_ID} AS event_id, * FROM (${normalizedLinesSql(lean.sql, this.carrier.source('lines'), { source: lean.source, instance: lean.instance, batch: this.carrier.batchId, checks: lean.checks })})`,
    );
  }
}

/**
 * Rows of a batch held in a Memory table for its commit (which reads them
 * more than once), and whether this process holds them. A batch's name is
 * new (its ID), so holding does not look for a table of the same name: one
 * left by an earlier attempt at the same batch is dropped first by whoever
 * takes the batch up again (StagingBatch.dropLeftovers), or when the
 * embedded engine starts (dropHeldRows).
 */
class HeldRows {
  held = false;
  readonly name: string;

  constructor(name: string) {
    this.name = quoteIdentifier(name);
  }

  async hold(client: ClickHouseClient, select: string): Promise<void> {
    await storageCall(() => client.command({ query: `CREATE TABLE ${this.name} ENGINE = Memory AS ${select}` }));
    this.held = true;
  }

  /** Drops the table if this process holds it. */
  async release(client: ClickHouseClient): Promise<void> {
    if (this.held) await this.dropLeftover(client);
  }

  /** Drops the table whoever built it. */
  async dropLeftover(client: ClickHouseClient): Promise<void> {
    await storageCall(() => client.command({ query: `DROP TABLE IF EXISTS ${this.name}` }));
    this.held = false;
  }
}

/** What the commit inserts for each column of `events`, from a staged row (ts_ms becomes the JST time). */
const INSERTED_VALUES = EVENT_INSERT_COLUMNS.map((c) => (c === 'ts' ? "fromUnixTimestamp64Milli(ts_ms, 'Asia/Tokyo')" : c)).join(', ');

/** Line numbers of a batch, inclusive. */
export interface LineRange {
  from: number;
  to: number;
}

/**
 * ClickHouse refuses an INSERT that writes more than 100 partitions
 * (max_partitions_per_insert_block); events are partitioned by JST month.
 * Groups of at most this many months stay well below it.
 */
const MONTHS_PER_INSERT = 48;

/** The days of a commit scope in groups whose months fit one INSERT (one group for a batch of ordinary span). */
export function monthGroups(days: readonly string[]): string[][] {
  const byMonth = new Map<string, string[]>();
  for (const day of [...days].sort()) {
    const month = day.slice(0, 7);
    const list = byMonth.get(month);
    if (list) list.push(day);
    else byMonth.set(month, [day]);
  }
  const months = [...byMonth.values()];
  const groups: string[][] = [];
  for (let i = 0; i < months.length; i += MONTHS_PER_INSERT) groups.push(months.slice(i, i + MONTHS_PER_INSERT).flat());
  return groups;
}

/** event_id of a staged row: the source's own ID, else the stored (masked) line, with source and instance. */
const EVENT_ID = `lower(hex(substring(SHA256(concat(source, '\\0', instance, '\\0', if(identity_key = '', raw, identity_key))), 1, 16)))`;

/**
 * A line kept apart is identified by what it is, like an event: its source,
 * instance and its own identity as staged (a Windows record's), else the line
 * as received. (Batches staged by earlier versions staged 'batch:line' there:
 * unique, as those versions stored it.)
 */
const APART_ID = `lower(hex(substring(SHA256(concat(source, '\\0', instance, '\\0', if(apart_id = '', raw, apart_id))), 1, 16)))`;

/** Memory tables of rows held for a commit (normalized lines, staged events, kept-apart rows) left by a process that died (embedded engine: none of them is in use). */
export async function dropHeldRows(client: ClickHouseClient): Promise<void> {
  const rs = await storageCall(() =>
    client.query({
      query: `SELECT name FROM system.tables WHERE database = currentDatabase() AND startsWith(name, {prefix:String})`,
      query_params: { prefix: HELD_PREFIX },
      format: 'JSONEachRow',
    }),
  );
  for (const { name } of await rs.json<{ name: string }>()) {
    await storageCall(() => client.command({ query: `DROP TABLE IF EXISTS ${quoteIdentifier(name)}` }));
  }
}

const HELD_PREFIX = `${INGEST_STAGING_PREFIX}m_`;

/**
 * Staged rows of at least this many bytes are held in memory for a commit
 * that reads them more than once; fewer are read again from where they wait.
 * Holding costs two statements (~10–20 ms); reading 8 MiB again about as
 * much (the engine parses TabSeparated at roughly 0.5 GB/s here).
 */
const HOLD_BYTES = 8 << 20;

/** What the SQL twin of a batch's source needs: the twin, and the batch's source and instance. */
export interface LeanSource {
  sql: SqlNormalizer;
  source: string;
  instance: string;
  /** What every accepted line must also meet (event-checks.ts eventChecksSql). */
  checks?: string;
}

/** A staged line the SQL twin did not accept: its bytes as staged (UTF-8 text when fromText). */
export interface RefusedLine {
  lineNo: number;
  origin: string;
  fromText: boolean;
  raw: Buffer;
}

/**
 * Removes whatever a failed commit left of a batch in events and quarantine
 * (a batch set aside stores nothing until it is replayed); the scope bounds
 * the parts searched.
 */
export async function removeBatchRows(client: ClickHouseClient, batchId: string, scope: CommitScope): Promise<void> {
  const params = { batch: batchId, sources: scope.sources, days: scope.days };
  if (scope.sources.length > 0 && (await storedShares(client, batchId, scope, { withApart: false }))[0].events > 0) {
    await storageCall(() =>
      client.command({
        query: `DELETE FROM ${TABLES.events} WHERE source IN {sources:Array(String)} AND day IN {days:Array(Date)} AND batch_id = {batch:String}`,
        query_params: params,
      }),
    );
  }
  await storageCall(() =>
    client.command({ query: `DELETE FROM ${TABLES.quarantine} WHERE batch_id = {batch:String}`, query_params: params }),
  );
  await storageCall(() =>
    client.command({ query: `DELETE FROM ${TABLES.eventsApart} WHERE batch_id = {batch:String}`, query_params: params }),
  );
}

export interface CommitScope {
  sources: string[];
  /** JST days, YYYY-MM-DD. */
  days: string[];
  /**
   * The `ingested_at` stamped on every event the commit stores (epoch ms),
   * chosen when its intent is written: the batch's rows are found by it
   * (batchEventsSql). Absent in intents of older versions (the engine's
   * clock at each insert, and the rows found by batch alone).
   */
  ingestedAtMs?: number;
}

type Part = 'events' | 'quarantine' | 'lines' | 'apart';

/** Batches staged before format 3 have no lines kept apart: an empty source of their structure. */
const NO_APART = `null(${sqlString(`${APART_HEAD}, day Date, raw String`)})`;

/** The staged kept-apart rows' structure in a format, and a FROM expression that reads them with their `day` (1970-01-01 before format 4). */
function apartStructure(format: number): { structure: string; read: (from: string) => string } {
  if (format >= 4)
    return {
      structure: `${APART_HEAD}, epoch_day UInt16, raw String`,
      read: (from) => `(SELECT * EXCEPT epoch_day, toDate(epoch_day) AS day FROM ${from})`,
    };
  return { structure: `${APART_HEAD}, raw String`, read: (from) => `(SELECT *, toDate(0) AS day FROM ${from})` };
}

interface Carrier {
  readonly batchId: string;
  create(): Promise<void>;
  append(part: Part, rows: string | Buffer): Promise<void>;
  /** Everything appended is readable by ClickHouse from now on. */
  seal(): Promise<void>;
  /** The staged rows are there (after a crash: not yet removed). */
  exists(): Promise<boolean>;
  /**
   * A FROM expression reading the part, without query parameters (the
   * embedded engine runs parameterized queries one at a time across
   * connections; the twin's check must run beside the previous commit).
   */
  source(part: Part): string;
  drop(): Promise<void>;
  /** Moves the staged rows into `dir` (embedded staging files only). */
  moveTo(dir: string): Promise<void>;
}

/** The staged events' structure in a format, and a FROM expression that reads it as the current one. */
function eventsStructure(format: number): { structure: string; read: (from: string) => string } {
  if (format >= STAGING_FORMAT) return { structure: STAGED_STRUCTURE, read: (from) => from };
  return { structure: STAGED_STRUCTURE_V1, read: (from) => `(SELECT *, '' AS origin FROM ${from})` };
}

/** The staged files of a batch in an embedded staging folder. */
function stagingPaths(dir: string, batchId: string): Record<Part, string> {
  return {
    events: join(dir, `${INGEST_STAGING_PREFIX}${batchId}.tsv`),
    quarantine: join(dir, `${INGEST_STAGING_PREFIX}q_${batchId}.tsv`),
    lines: join(dir, `${INGEST_STAGING_PREFIX}l_${batchId}.tsv`),
    apart: join(dir, `${INGEST_STAGING_PREFIX}a_${batchId}.tsv`),
  };
}

/** Embedded engine: TabSeparated files read with file(). */
class FileCarrier implements Carrier {
  private paths: Record<Part, string>;
  private fds: Partial<Record<Part, number>> = {};

  constructor(
    dir: string,
    readonly batchId: string,
    private readonly format: number,
  ) {
    this.paths = stagingPaths(dir, batchId);
  }

  async create(): Promise<void> {
    this.fds = {
      events: openSync(this.paths.events, 'w', 0o600),
      quarantine: openSync(this.paths.quarantine, 'w', 0o600),
      lines: openSync(this.paths.lines, 'w', 0o600),
      apart: openSync(this.paths.apart, 'w', 0o600),
    };
  }

  async append(part: Part, rows: string | Buffer): Promise<void> {
    const fd = this.fds[part] as number;
    if (typeof rows === 'string') writeSync(fd, rows);
    else writeSync(fd, rows);
  }

  async seal(): Promise<void> {
    this.close();
  }

  async exists(): Promise<boolean> {
    return existsSync(this.paths.events);
  }

  source(part: Part): string {
    if (part === 'apart' && this.format < 3) return NO_APART;
    const events = eventsStructure(this.format);
    const apart = apartStructure(this.format);
    const structure = { events: events.structure, quarantine: QUARANTINE_STRUCTURE, lines: LINES_STRUCTURE, apart: apart.structure }[part];
    const from = `file(${sqlString(this.paths[part])}, 'TabSeparated', ${sqlString(structure)})`;
    return part === 'events' ? events.read(from) : part === 'apart' ? apart.read(from) : from;
  }

  async drop(): Promise<void> {
    this.close();
    for (const p of Object.values(this.paths)) rmSync(p, { force: true });
  }

  async moveTo(dir: string): Promise<void> {
    this.close();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const to = stagingPaths(dir, this.batchId);
    for (const part of Object.keys(this.paths) as Part[]) {
      if (existsSync(this.paths[part])) renameSync(this.paths[part], to[part]);
    }
    this.paths = to;
  }

  private close(): void {
    for (const fd of Object.values(this.fds)) closeSync(fd as number);
    this.fds = {};
  }
}

/** ClickHouse server: per-batch staging tables filled over HTTP. */
class TableCarrier implements Carrier {
  private readonly tables: Record<Part, string>;

  constructor(
    readonly client: ClickHouseClient,
    readonly batchId: string,
    private readonly format: number,
  ) {
    this.tables = {
      events: quoteIdentifier(INGEST_STAGING_PREFIX + batchId),
      quarantine: quoteIdentifier(INGEST_STAGING_PREFIX + 'q_' + batchId),
      lines: quoteIdentifier(INGEST_STAGING_PREFIX + 'l_' + batchId),
      apart: quoteIdentifier(INGEST_STAGING_PREFIX + 'a_' + batchId),
    };
  }

  async create(): Promise<void> {
    await this.client.command({
      query: `CREATE TABLE ${this.tables.events} (${eventsStructure(this.format).structure}) ENGINE = MergeTree ORDER BY tuple()`,
    });
    await this.client.command({
      query: `CREATE TABLE ${this.tables.quarantine} (${QUARANTINE_STRUCTURE}) ENGINE = MergeTree ORDER BY tuple()`,
    });
    await this.client.command({ query: `CREATE TABLE ${this.tables.lines} (${LINES_STRUCTURE}) ENGINE = MergeTree ORDER BY tuple()` });
    await this.client.command({
      query: `CREATE TABLE ${this.tables.apart} (${apartStructure(this.format).structure}) ENGINE = MergeTree ORDER BY tuple()`,
    });
  }

  async append(part: Part, rows: string | Buffer): Promise<void> {
    await this.client.insert({
      table: this.tables[part],
      values: Readable.from([typeof rows === 'string' ? Buffer.from(rows) : rows], { objectMode: false }),
      format: 'TabSeparated',
      columns: [
        ...{ events: STAGED_COLUMN_NAMES, quarantine: QUARANTINE_COLUMNS, lines: LINE_COLUMNS, apart: STAGED_APART_COLUMNS }[part],
      ] as [string, ...string[]],
    });
  }

  async seal(): Promise<void> {}

  async exists(): Promise<boolean> {
    const rs = await this.client.query({ query: `EXISTS TABLE ${this.tables.events}`, format: 'JSONEachRow' });
    const [row] = await rs.json<{ result: number | string }>();
    return Number(row.result) === 1;
  }

  source(part: Part): string {
    if (part === 'apart' && this.format < 3) return NO_APART;
    if (part === 'apart') return apartStructure(this.format).read(this.tables.apart);
    return part === 'events' ? eventsStructure(this.format).read(this.tables[part]) : this.tables[part];
  }

  async drop(): Promise<void> {
    for (const t of Object.values(this.tables)) await this.client.command({ query: `DROP TABLE IF EXISTS ${t}` });
  }

  async moveTo(): Promise<void> {
    // A server's staging tables stay where they are, named by the batch.
  }
}
