import { jstTimestamp } from '@kansa/domain';
import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { CLICKHOUSE, EVENT_ROW_DIGEST_SQL, stampedSql, TABLES } from '@kansa/storage';
import { BatchRecord, contentDigest } from './chain';
import { ContentScope, contentScopeSql } from './content-scope';

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
   * none, unless rows were moved or added behind kansa's back. One pass over
   * the events' batch and day columns, narrowed to the batches of `scope`.
   */
  async eventsOffTheirDays(scope: ContentScope = {}): Promise<Set<string>> {
    const { condition, params } = contentScopeSql(scope);
    const dated = "first_day != '' AND last_day != ''";
    const rs = await this.client.query({
      query: `WITH b AS (SELECT batch_id, toDate(first_day) AS first, toDate(last_day) AS last FROM ${TABLES.importBatches}
                         WHERE ${dated}${condition ? ` AND ${condition}` : ''})
              SELECT DISTINCT e.batch_id AS batch_id FROM ${TABLES.events} AS e INNER JOIN b ON e.batch_id = b.batch_id
              WHERE ${condition ? 'e.batch_id IN (SELECT batch_id FROM b) AND ' : ''}(e.day < b.first OR e.day > b.last)`,
      query_params: params,
      format: 'JSONEachRow',
    });
    return new Set((await rs.json<{ batch_id: string }>()).map((r) => r.batch_id));
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

  async insert(b: BatchRecord): Promise<void> {
    await this.client.insert({
      table: TABLES.importBatches,
      format: 'JSONEachRow',
      values: [
        {
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
        },
      ],
    });
  }

  /** The chains (source and writer) and how many batch records each has, ordered by source and writer. */
  async chains(): Promise<Array<{ source: string; writer: string; batches: number }>> {
    const rs = await this.client.query({
      query: `SELECT source, writer, count() AS n FROM ${TABLES.importBatches} GROUP BY source, writer ORDER BY source, writer`,
      format: 'JSONEachRow',
    });
    return (await rs.json<{ source: string; writer: string; n: string }>()).map((r) => ({ ...r, batches: Number(r.n) }));
  }

  /** The batches of one chain in chain order, `size` at a time (memory stays flat however many years it holds). */
  async *chainPages(source: string, writer: string, size: number): AsyncGenerator<BatchRecord[]> {
    let after = { seq: 0, id: '' };
    for (;;) {
      const page = await this.select(
        `WHERE source = {source:String} AND writer = {writer:String} AND (seq, batch_id) > ({seq:UInt64}, {id:String})
         ORDER BY seq, batch_id LIMIT {size:UInt32}`,
        { source, writer, seq: after.seq, id: after.id, size },
      );
      if (page.length === 0) return;
      yield page;
      const last = page[page.length - 1];
      after = { seq: last.seq, id: last.batchId };
    }
  }

  /** Batch IDs that stored rows claim but import_batches does not know. */
  async unrecordedBatches(): Promise<Array<{ batch_id: string; table: string; n: string }>> {
    const rs = await this.client.query({
      query: `SELECT batch_id, 'events' AS table, count() AS n FROM ${TABLES.events}
                WHERE batch_id NOT IN (SELECT batch_id FROM ${TABLES.importBatches}) GROUP BY batch_id
              UNION ALL
              SELECT batch_id, 'quarantine' AS table, count() AS n FROM ${TABLES.quarantine}
                WHERE batch_id NOT IN (SELECT batch_id FROM ${TABLES.importBatches}) GROUP BY batch_id
              UNION ALL
              SELECT batch_id, 'events_apart' AS table, count() AS n FROM ${TABLES.eventsApart}
                WHERE batch_id NOT IN (SELECT batch_id FROM ${TABLES.importBatches}) GROUP BY batch_id`,
      format: 'JSONEachRow',
    });
    return rs.json();
  }

  private async select(tail: string, params: Record<string, unknown> = {}): Promise<BatchRecord[]> {
    const rs = await this.client.query({
      query: `SELECT batch_id, seq, source, writer, instance, transport, origin, file_sha256, lines_read, stored, duplicates,
                quarantined, apart, content_digest, prev_chain, chain_hash, first_day, last_day,
                toUnixTimestamp64Milli(started_at) AS started_ms, toUnixTimestamp64Milli(finished_at) AS finished_ms
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
    }));
  }
}
