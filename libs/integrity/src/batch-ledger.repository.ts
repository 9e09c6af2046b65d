import { jstTimestamp } from '@kansa/domain';
import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { CLICKHOUSE, EVENT_ROW_DIGEST_SQL, stampedSql, TABLES } from '@kansa/storage';
import { BatchRecord, contentDigest } from './chain';
import { BATCH_DAY_SQL, ContentScope, contentScopeSql } from './content-scope';
import { ChunkLimits, monthChunks, VERIFY_CHUNK_LIMITS } from './verify-chunks';

/**
 * The IDs of the batches recorded with their first event day or their import
 * in these months ({months:Array(String)}, YYYYMM): the rows of those months
 * that claim one of them are recorded, and the set index on batch_id skips
 * their granules (the rows left are then looked up in every record).
 */
const RECORDED_IN_MONTHS = `SELECT batch_id FROM ${TABLES.importBatches}
  WHERE (first_day != '' AND toString(toYYYYMM(toDate(first_day))) IN {months:Array(String)})
     OR toString(toYYYYMM(finished_at)) IN {months:Array(String)}`;

/** Batch records that name their events' first and last day (recorded since migration 064). */
const DATED = "first_day != '' AND last_day != ''";

// Row digests over every stored column; the same SQL at import and at verify.
const EVENT_ROW = EVENT_ROW_DIGEST_SQL;
const QUARANTINE_ROW = `SHA256(concatWithSeparator('\\x1f', quarantine_id, batch_id, source, instance, origin,
  toString(line_no), field, reason, raw, raw_bytes_b64))`;
const APART_ROW = `SHA256(concatWithSeparator('\\x1f', apart_id, batch_id, source, instance, origin, toString(line_no), label, raw))`;
const GROUP_DIGEST = (row: string) =>
  `lower(hex(SHA256(arrayStringConcat(arrayMap(t -> t.2, arraySort(groupArray((line_no, ${row})))), ''))))`;

/** Where a batch's events are looked for (all of them when empty). */
export interface BatchRowsBound {
  /** The stamp its commit gave its events (ingested_at, epoch ms). */
  ingestedAtMs?: number;
  /** JST days, inclusive (both or neither). */
  fromDay?: string;
  toDay?: string;
}

/** One chain of batch records (BatchLedgerRepository.chains). */
export interface ChainSummary {
  source: string;
  writer: string;
  batches: number;
  lastSeq: number;
  /** The chain hash of its last record. */
  head: string;
  /** The first seq imported on or after the day asked for; 0 when none (or not asked). */
  firstRecentSeq: number;
}

/** Which records of a chain chainPages reads, and the scope it flags them by. */
export interface ChainPagesWithin {
  fromSeq?: number;
  toSeq?: number;
  scope?: ContentScope;
}

/** A batch record, and whether the scope it was read for covers its content. */
export type ScopedBatchRecord = BatchRecord & { inScope: boolean };

/** import_batches and the digests that chain them (docs/collector.md "Integrity"). */
@Injectable()
export class BatchLedgerRepository {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  /**
   * Recomputes the content digest of batches from the stored rows. `bound`
   * narrows where their events are looked for: a commit names its batch's
   * stamp (`ingestedAtMs`, CommitScope), verify the days of a chunk of
   * batches (whose events are all on them: eventsOffTheirDays).
   */
  async contentDigests(batchIds: string[], bound: BatchRowsBound = {}): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (batchIds.length === 0) return out;
    const days = bound.fromDay && bound.toDay ? { fromDay: bound.fromDay, toDay: bound.toDay } : undefined;
    const narrow = [
      bound.ingestedAtMs === undefined ? '' : ` AND ${stampedSql(bound.ingestedAtMs)}`,
      days ? ' AND day BETWEEN {fromDay:Date} AND {toDay:Date}' : '',
    ].join('');
    // One query for the three tables (a commit runs it for every batch); each table's digest per batch, '' without rows.
    const parts = [
      [TABLES.events, EVENT_ROW, narrow],
      [TABLES.quarantine, QUARANTINE_ROW, ''],
      [TABLES.eventsApart, APART_ROW, ''],
    ].map(
      ([table, row, where], i) =>
        `SELECT ${i} AS part, batch_id, ${GROUP_DIGEST(row)} AS d FROM ${table} WHERE batch_id IN {ids:Array(String)}${where} GROUP BY batch_id`,
    );
    const rs = await this.client.query({
      query: parts.join(' UNION ALL '),
      query_params: { ids: batchIds, ...days },
      format: 'JSONEachRow',
    });
    const digests = [new Map<string, string>(), new Map<string, string>(), new Map<string, string>()];
    for (const r of await rs.json<{ part: number; batch_id: string; d: string }>()) digests[Number(r.part)].set(r.batch_id, r.d);
    const [ev, q, a] = digests;
    for (const id of batchIds) out.set(id, contentDigest(ev.get(id) ?? '', q.get(id) ?? '', a.get(id) ?? ''));
    return out;
  }

  /**
   * Batches some of whose events lie outside the days recorded for them
   * (first_day…last_day; batches recorded without days are not judged):
   * none, unless rows were moved or added behind kansa's back. The events'
   * batch and day columns are read once, a few months at a time
   * (monthChunks: the engine holds those months' batches, not every batch
   * kept), each month's batches joined with their records in `scope`.
   */
  async eventsOffTheirDays(scope: ContentScope = {}, batchesAtOnce = VERIFY_CHUNK_LIMITS.batchesAtOnce): Promise<Set<string>> {
    const { condition, params } = contentScopeSql(scope);
    const out = new Set<string>();
    for (const { months } of await this.monthsAtOnce([TABLES.events], batchesAtOnce)) {
      // the records stream past the months' batches (the join's right side, which the engine holds)
      const rows = await this.rows<{ batch_id: string }>(
        `SELECT b.batch_id AS batch_id
         FROM (SELECT batch_id, toDate(first_day) AS first, toDate(last_day) AS last FROM ${TABLES.importBatches}
               WHERE ${DATED}${condition ? ` AND ${condition}` : ''}) AS b
         INNER JOIN (SELECT batch_id, min(day) AS lo, max(day) AS hi FROM ${TABLES.events}
                     WHERE _partition_id IN {months:Array(String)} GROUP BY batch_id) AS m ON b.batch_id = m.batch_id
         WHERE m.lo < b.first OR m.hi > b.last
         SETTINGS query_plan_join_swap_table = 'false'`,
        { ...params, months },
      );
      for (const r of rows) out.add(r.batch_id);
    }
    return out;
  }

  /**
   * Each table's months (partitions, YYYYMM) in chunks whose batches,
   * counted by the month of their first event day (imported that month, for
   * those recorded without days), stay within `batchesAtOnce` (monthChunks).
   * The records are counted once for all the tables.
   */
  private async monthsAtOnce(
    tables: readonly string[],
    batchesAtOnce: number,
  ): Promise<Array<{ table: string; months: string[]; batches: number }>> {
    const perMonth = await this.rows<{ m: string; n: string }>(
      `SELECT toString(toYYYYMM(${BATCH_DAY_SQL})) AS m, count() AS n FROM ${TABLES.importBatches} GROUP BY m`,
    );
    const batches = new Map(perMonth.map((r) => [r.m, Number(r.n)]));
    const out: Array<{ table: string; months: string[]; batches: number }> = [];
    for (const table of tables) {
      const months = (await this.rows<{ p: string }>(`SELECT DISTINCT _partition_id AS p FROM ${table}`)).map((r) => r.p);
      out.push(...monthChunks(months, batches, batchesAtOnce).map((c) => ({ table, ...c })));
    }
    return out;
  }

  private async rows<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
    return (await this.client.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();
  }

  /** The newest batch of a source's chain written by `writer`. */
  async last(source: string, writer: string): Promise<BatchRecord | undefined> {
    const rows = await this.select(`WHERE source = {source:String} AND writer = {writer:String} ORDER BY seq DESC LIMIT 1`, {
      source,
      writer,
    });
    return rows[0];
  }

  /** How many batches were imported from outside a folder (origin not under it), and one of their origins. */
  async importedOutside(folder: string): Promise<{ batches: number; example: string }> {
    const rs = await this.client.query({
      query: `SELECT count() AS n, any(origin) AS example FROM ${TABLES.importBatches} WHERE NOT startsWith(origin, {dir:String})`,
      query_params: { dir: folder },
      format: 'JSONEachRow',
    });
    const [row] = await rs.json<{ n: string; example: string }>();
    return { batches: Number(row.n), example: row.example };
  }

  /** Whether import_batches holds this batch. */
  async has(batchId: string): Promise<boolean> {
    return (await this.select('WHERE batch_id = {id:String} LIMIT 1', { id: batchId })).length > 0;
  }

  /** Rows (events, quarantine and kept apart) that claim this batch. */
  async storedRows(batchId: string): Promise<number> {
    const rs = await this.client.query({
      query: `SELECT (SELECT count() FROM ${TABLES.events} WHERE batch_id = {id:String})
                + (SELECT count() FROM ${TABLES.quarantine} WHERE batch_id = {id:String})
                + (SELECT count() FROM ${TABLES.eventsApart} WHERE batch_id = {id:String}) AS n`,
      query_params: { id: batchId },
      format: 'JSONEachRow',
    });
    const [row] = await rs.json<{ n: string }>();
    return Number(row.n);
  }

  /** Appends batch records (a commit appends one; one insert for many). */
  async insert(...batches: BatchRecord[]): Promise<void> {
    await this.client.insert({
      table: TABLES.importBatches,
      format: 'JSONEachRow',
      values: batches.map((b) => ({
        batch_id: b.batchId,
        seq: b.seq,
        source: b.source,
        writer: b.writer,
        instance: b.instance,
        transport: b.transport,
        origin: b.origin,
        file_sha256: b.fileSha256,
        lines_read: b.linesRead,
        stored: b.stored,
        duplicates: b.duplicates,
        quarantined: b.quarantined,
        apart: b.apart,
        content_digest: b.contentDigest,
        prev_chain: b.prevChain,
        chain_hash: b.chainHash,
        started_at: jstTimestamp(b.startedAtMs),
        finished_at: jstTimestamp(b.finishedAtMs),
        first_day: b.firstDay,
        last_day: b.lastDay,
      })),
    });
  }

  /**
   * The chains (source and writer), ordered by source and writer: how many
   * batch records each has, its last seq and head, and (given `recentFrom`)
   * the first seq imported on or after that JST day (0: none).
   */
  async chains(recentFrom?: string): Promise<ChainSummary[]> {
    const rs = await this.client.query({
      query: `SELECT source, writer, count() AS n, max(seq) AS last_seq, argMax(chain_hash, (seq, batch_id)) AS head,
                ${recentFrom ? 'minIf(seq, toDate(finished_at) >= {from:Date})' : '0'} AS first_recent
              FROM ${TABLES.importBatches} GROUP BY source, writer ORDER BY source, writer`,
      query_params: recentFrom ? { from: recentFrom } : {},
      format: 'JSONEachRow',
    });
    return (await rs.json<{ source: string; writer: string; n: string; last_seq: string; head: string; first_recent: string }>()).map(
      (r) => ({
        source: r.source,
        writer: r.writer,
        batches: Number(r.n),
        lastSeq: Number(r.last_seq),
        head: r.head,
        firstRecentSeq: Number(r.first_recent),
      }),
    );
  }

  /**
   * The batch records of one chain with seq in `fromSeq`…`toSeq`, in chain
   * order, `size` at a time (memory stays flat however many years it holds),
   * each flagged whether `scope` covers its content (all, without a scope).
   */
  chainPages(source: string, writer: string, size: number, within: ChainPagesWithin = {}): AsyncGenerator<ScopedBatchRecord[]> {
    const { condition, params } = contentScopeSql(within.scope ?? {});
    const { fromSeq, toSeq } = within;
    const bounds = [fromSeq !== undefined && 'seq >= {fromSeq:UInt64}', toSeq !== undefined && 'seq <= {toSeq:UInt64}'].filter(Boolean);
    return this.pages(source, writer, size, bounds.join(' AND '), { ...params, fromSeq, toSeq }, condition || '1');
  }

  /** The records of one chain whose content `scope` covers and whose seq is outside these ranges (inclusive), in chain order. */
  scopedPagesOutside(
    source: string,
    writer: string,
    size: number,
    scope: ContentScope,
    ranges: ReadonlyArray<readonly [number, number]>,
  ): AsyncGenerator<ScopedBatchRecord[]> {
    const { condition, params } = contentScopeSql(scope);
    const outside = 'NOT arrayExists((lo, hi) -> seq BETWEEN lo AND hi, {lo:Array(UInt64)}, {hi:Array(UInt64)})';
    return this.pages(source, writer, size, condition ? `${condition} AND ${outside}` : outside, {
      ...params,
      lo: ranges.map((r) => r[0]),
      hi: ranges.map((r) => r[1]),
    });
  }

  /** A chain's records matching `condition` ('' for all), in chain order, a page at a time, flagged by `inScope`. */
  private async *pages(
    source: string,
    writer: string,
    size: number,
    condition: string,
    params: Record<string, unknown>,
    inScope = '1',
  ): AsyncGenerator<ScopedBatchRecord[]> {
    const and = condition ? ` AND ${condition}` : '';
    let after = { seq: 0, id: '' };
    for (;;) {
      const page = await this.select(
        `WHERE source = {source:String} AND writer = {writer:String} AND (seq, batch_id) > ({seq:UInt64}, {id:String})${and}
         ORDER BY seq, batch_id LIMIT {size:UInt32}`,
        { ...params, source, writer, seq: after.seq, id: after.id, size },
        inScope,
      );
      if (page.length === 0) return;
      yield page;
      const last = page[page.length - 1];
      after = { seq: last.seq, id: last.batchId };
    }
  }

  /** The record of a chain with this seq (the first by batch ID if a fork left two), or undefined. */
  async at(source: string, writer: string, seq: number): Promise<BatchRecord | undefined> {
    const rows = await this.select(
      'WHERE source = {source:String} AND writer = {writer:String} AND seq = {seq:UInt64} ORDER BY batch_id LIMIT 1',
      { source, writer, seq },
    );
    return rows[0];
  }

  /**
   * Batch IDs that stored rows (events, quarantined lines, lines kept apart)
   * claim but import_batches does not know, with their rows. A few months of
   * a table at a time (monthsAtOnce): the engine holds those months' batch
   * IDs while the records stream past, not the IDs of every batch kept.
   */
  async unrecordedBatches(
    limits: Pick<ChunkLimits, 'batchesAtOnce' | 'prefilterBatches'> = VERIFY_CHUNK_LIMITS,
  ): Promise<Array<{ batch_id: string; table: string; n: number }>> {
    const rows = new Map<string, { batch_id: string; table: string; n: number }>();
    for (const { table, months, batches } of await this.monthsAtOnce(
      [TABLES.events, TABLES.quarantine, TABLES.eventsApart],
      limits.batchesAtOnce,
    )) {
      // few batches a month (files): leave out the rows of the months' own batches first, which the set index does by granule
      const prefilter = batches <= limits.prefilterBatches ? ` AND batch_id NOT IN (${RECORDED_IN_MONTHS})` : '';
      const found = await this.rows<{ batch_id: string; n: string }>(
        `SELECT m.batch_id AS batch_id, m.n AS n
         FROM ${TABLES.importBatches} AS b
         RIGHT ANTI JOIN (SELECT batch_id, count() AS n FROM ${table}
                          WHERE _partition_id IN {months:Array(String)}${prefilter}
                          GROUP BY batch_id) AS m
           ON b.batch_id = m.batch_id
         SETTINGS query_plan_join_swap_table = 'false'`,
        { months },
      );
      for (const r of found) {
        const key = `${table}\0${r.batch_id}`;
        const seen = rows.get(key) ?? { batch_id: r.batch_id, table, n: 0 };
        seen.n += Number(r.n);
        rows.set(key, seen);
      }
    }
    return [...rows.values()];
  }

  /** Batch records; each flagged by the SQL condition `inScope` (true by default). */
  private async select(tail: string, params: Record<string, unknown> = {}, inScope = '1'): Promise<ScopedBatchRecord[]> {
    const rs = await this.client.query({
      query: `SELECT batch_id, seq, source, writer, instance, transport, origin, file_sha256, lines_read, stored, duplicates,
                quarantined, apart, content_digest, prev_chain, chain_hash, first_day, last_day,
                toUnixTimestamp64Milli(started_at) AS started_ms, toUnixTimestamp64Milli(finished_at) AS finished_ms,
                ${inScope} AS in_scope
              FROM ${TABLES.importBatches} ${tail}`,
      query_params: params,
      format: 'JSONEachRow',
    });
    const rows = await rs.json<Record<string, string>>();
    return rows.map((r) => ({
      batchId: r.batch_id,
      seq: Number(r.seq),
      source: r.source,
      writer: r.writer,
      instance: r.instance,
      transport: r.transport,
      origin: r.origin,
      fileSha256: r.file_sha256,
      linesRead: Number(r.lines_read),
      stored: Number(r.stored),
      duplicates: Number(r.duplicates),
      quarantined: Number(r.quarantined),
      apart: Number(r.apart),
      contentDigest: r.content_digest,
      prevChain: r.prev_chain,
      chainHash: r.chain_hash,
      startedAtMs: Number(r.started_ms),
      finishedAtMs: Number(r.finished_ms),
      firstDay: r.first_day,
      lastDay: r.last_day,
      inScope: Boolean(Number(r.in_scope)),
    }));
  }
}
