import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { CLICKHOUSE } from './storage.tokens';
import { TABLES } from './tables';

export interface StoredCounts {
  events: number;
  quarantined: number;
  findings: number;
}

/** How much is stored, for `kansa info` and the console. */
@Injectable()
export class StoredCountsRepository {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  async counts(): Promise<StoredCounts> {
    const [row] = await (
      await this.client.query({
        query: `SELECT (SELECT count() FROM ${TABLES.events}) AS events,
                       (SELECT count() FROM ${TABLES.quarantine}) AS quarantined,
                       (SELECT count() FROM ${TABLES.findings} FINAL) AS findings`,
        format: 'JSONEachRow',
      })
    ).json<Record<keyof StoredCounts, string>>();
    return { events: Number(row.events), quarantined: Number(row.quarantined), findings: Number(row.findings) };
  }
}
