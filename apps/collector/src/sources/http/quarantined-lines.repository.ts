import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { CLICKHOUSE, TABLES } from '@kansa/storage';

export interface RejectedLine {
  line: number;
  field: string;
  reason: string;
}

/** The quarantined lines of a request's batches, as the HTTP answer reports them to the sender. */
@Injectable()
export class QuarantinedLinesRepository {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  async ofBatches(batchIds: string[], limit: number): Promise<RejectedLine[]> {
    const rs = await this.client.query({
      query: `SELECT line_no AS line, field, reason FROM ${TABLES.quarantine}
              WHERE batch_id IN {batchIds:Array(String)} ORDER BY line_no LIMIT {limit:UInt32}`,
      query_params: { batchIds, limit },
      format: 'JSONEachRow',
    });
    return (await rs.json<{ line: string; field: string; reason: string }>()).map((r) => ({ ...r, line: Number(r.line) }));
  }
}
