import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { CLICKHOUSE, TABLES } from '@kansa/storage';
import type { BatchShare, IngestResult } from '../../pipeline/ingest.types';

export interface RejectedLine {
  line: number;
  field: string;
  reason: string;
}

/** The quarantined lines of a request's batches, as the HTTP answer reports them to the sender. */
@Injectable()
export class QuarantinedLinesRepository {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  /** The request's quarantined lines: those of its batches, or of its share of a batch it shared (numbered as it sent them). */
  of(result: IngestResult, limit: number): Promise<RejectedLine[]> {
    return result.share ? this.ofShare(result.share, limit) : this.ofBatches(result.batchIds, limit);
  }

  ofBatches(batchIds: string[], limit: number): Promise<RejectedLine[]> {
    return this.lines(
      `SELECT line_no AS line, field, reason FROM ${TABLES.quarantine}
       WHERE batch_id IN {batchIds:Array(String)} ORDER BY line_no LIMIT {limit:UInt32}`,
      { batchIds, limit },
    );
  }

  private ofShare(share: BatchShare, limit: number): Promise<RejectedLine[]> {
    return this.lines(
      `SELECT line_no - {offset:UInt64} AS line, field, reason FROM ${TABLES.quarantine}
       WHERE batch_id = {batchId:String} AND line_no > {offset:UInt64} AND line_no <= {end:UInt64}
       ORDER BY line_no LIMIT {limit:UInt32}`,
      { batchId: share.batchId, offset: share.offset, end: share.offset + share.span, limit },
    );
  }

  private async lines(query: string, params: Record<string, unknown>): Promise<RejectedLine[]> {
    const rs = await this.client.query({ query, query_params: params, format: 'JSONEachRow' });
    return (await rs.json<{ line: string; field: string; reason: string }>()).map((r) => ({ ...r, line: Number(r.line) }));
  }
}
