import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { CLICKHOUSE, storageCall, TABLES } from '@kansa/storage';

/** What a committed batch stored of one share of its lines (a request of a shared batch). */
export interface StoredShare {
  events: number;
  /** Lines kept apart it stored, by label. */
  apart: Record<string, number>;
}

/**
 * What a batch several requests shared stored of each request's lines (HTTP
 * group commit): shares are consecutive line ranges, the i-th ending at
 * `ends[i]` (ascending); a row belongs to the first share whose end is at or
 * after its line.
 */
@Injectable()
export class BatchSharesRepository {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  /** Per share: events stored, and (`withApart`: the batch kept lines apart) lines kept apart stored by label. */
  async stored(batchId: string, ends: readonly number[], withApart: boolean): Promise<StoredShare[]> {
    const shares: StoredShare[] = ends.map(() => ({ events: 0, apart: {} }));
    const share = 'arrayFirstIndex(e -> line_no <= e, {ends:Array(UInt64)})';
    const params = { batch: batchId, ends };
    const events = await this.rows<{ share: number; n: string }>(
      `SELECT ${share} AS share, count() AS n FROM ${TABLES.events} WHERE batch_id = {batch:String} GROUP BY share`,
      params,
    );
    for (const r of events) if (Number(r.share) > 0) shares[Number(r.share) - 1].events = Number(r.n);
    if (withApart) {
      const apart = await this.rows<{ share: number; label: string; n: string }>(
        `SELECT ${share} AS share, label, count() AS n FROM ${TABLES.eventsApart} WHERE batch_id = {batch:String} GROUP BY share, label`,
        params,
      );
      for (const r of apart) if (Number(r.share) > 0) shares[Number(r.share) - 1].apart[r.label] = Number(r.n);
    }
    return shares;
  }

  private async rows<T>(query: string, params: Record<string, unknown>): Promise<T[]> {
    const rs = await storageCall(() => this.client.query({ query, query_params: params, format: 'JSONEachRow' }));
    return rs.json<T>();
  }
}
