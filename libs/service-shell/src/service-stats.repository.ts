import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { CLICKHOUSE, TABLES } from '@kansa/storage';

/** What /health and /metrics read from storage. */
@Injectable()
export class ServiceStatsRepository {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  /** Resolves when ClickHouse answers a query. */
  async ping(): Promise<void> {
    await this.rows('SELECT 1');
  }

  /** Lines ingested by all collectors, by source and transport (the import ledger's sums). */
  linesIngested(): Promise<
    Array<{ source: string; transport: string; read: string; stored: string; duplicates: string; quarantined: string }>
  > {
    return this.rows(
      `SELECT source, transport, sum(lines_read) AS read, sum(stored) AS stored, sum(duplicates) AS duplicates, sum(quarantined) AS quarantined
       FROM ${TABLES.importBatches} GROUP BY source, transport`,
    );
  }

  /** Findings stored, by rule and severity. */
  findingsByRule(): Promise<Array<{ rule: string; severity: string; n: string }>> {
    return this.rows(`SELECT rule, severity, count() AS n FROM ${TABLES.findings} FINAL GROUP BY rule, severity`);
  }

  /** The last finished analysis run of each kind: its status and duration. */
  lastRuns(): Promise<Array<{ kind: string; status: string; seconds: number }>> {
    return this.rows(
      `SELECT kind, argMax(status, started_at) AS status,
              argMax(dateDiff('millisecond', started_at, finished_at), started_at) / 1000 AS seconds
       FROM ${TABLES.analysisRuns} FINAL WHERE finished_at IS NOT NULL GROUP BY kind`,
    );
  }

  private async rows<T>(query: string): Promise<T[]> {
    return (await this.client.query({ query, format: 'JSONEachRow' })).json<T>();
  }
}
