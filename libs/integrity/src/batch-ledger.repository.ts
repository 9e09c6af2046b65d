import { jstTimestamp } from '@kansa/domain';
import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { CLICKHOUSE, EVENT_ROW_DIGEST_SQL, TABLES } from '@kansa/storage';
import { BatchRecord, contentDigest } from './chain';

// Row digests over every stored column; the same SQL at import and at verify.
const EVENT_ROW = EVENT_ROW_DIGEST_SQL;
const QUARANTINE_ROW = `SHA256(concatWithSeparator('\\x1f', quarantine_id, batch_id, source, instance, origin,
  toString(line_no), field, reason, raw, raw_bytes_b64))`;
const APART_ROW = `SHA256(concatWithSeparator('\\x1f', apart_id, batch_id, source, instance, origin, toString(line_no), label, raw))`;
const GROUP_DIGEST = (row: string) =>
  `lower(hex(SHA256(arrayStringConcat(arrayMap(t -> t.2, arraySort(groupArray((line_no, ${row})))), ''))))`;

/** import_batches and the digests that chain them (docs/collector.md "Integrity"). */
@Injectable()
export class BatchLedgerRepository {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  /** Recomputes the content digest of batches from the stored rows. */
  async contentDigests(batchIds: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (batchIds.length === 0) return out;
    // One query for the three tables (a commit runs it for every batch); each table's digest per batch, '' without rows.
    const parts = [
      [TABLES.events, EVENT_ROW],
      [TABLES.quarantine, QUARANTINE_ROW],
      [TABLES.eventsApart, APART_ROW],
    ].map(
      ([table, row], i) =>
        `SELECT ${i} AS part, batch_id, ${GROUP_DIGEST(row)} AS d FROM ${table} WHERE batch_id IN {ids:Array(String)} GROUP BY batch_id`,
    );
    const rs = await this.client.query({ query: parts.join(' UNION ALL '), query_params: { ids: batchIds }, format: 'JSONEachRow' });
    const digests = [new Map<string, string>(), new Map<string, string>(), new Map<string, string>()];
    for (const r of await rs.json<{ part: number; batch_id: string; d: string }>()) digests[Number(r.part)].set(r.batch_id, r.d);
    const [ev, q, a] = digests;
    for (const id of batchIds) out.set(id, contentDigest(ev.get(id) ?? '', q.get(id) ?? '', a.get(id) ?? ''));
    return out;
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

  /** Every batch of every chain (source and writer), in chain order. */
  async all(): Promise<BatchRecord[]> {
    return this.select('ORDER BY source, writer, seq');
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
