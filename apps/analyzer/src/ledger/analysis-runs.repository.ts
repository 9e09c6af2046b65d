import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { CLICKHOUSE, TABLES } from '@kansa/storage';

/** Who started a run: kansa analyze (manual, due), the service's schedules (incremental, daily, catch-up), kansa demo. */
export type RunKind = 'manual' | 'due' | 'incremental' | 'daily' | 'catch-up' | 'demo';
export type RunStatus = 'running' | 'ok' | 'failed';

export interface AnalysisRunRecord {
  runId: string;
  kind: RunKind;
  startedAt: string;
  finishedAt: string | null;
  fromDay: string;
  toDay: string;
  rules: string[];
  status: RunStatus;
  error: string;
  findings: number;
}

/** One row per analysis run (the report lists them); the finished row replaces the running one. */
@Injectable()
export class AnalysisRunsRepository {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  async save(run: AnalysisRunRecord): Promise<void> {
    await this.client.insert({
      table: TABLES.analysisRuns,
      format: 'JSONEachRow',
      values: [
        {
          run_id: run.runId,
          kind: run.kind,
          started_at: run.startedAt,
          finished_at: run.finishedAt,
          from_day: run.fromDay,
          to_day: run.toDay,
          rules: run.rules,
          status: run.status,
          error: run.error,
          findings: run.findings,
        },
      ],
    });
  }

  /** Runs whose window overlaps [fromDay, toDay], oldest first. */
  list(fromDay: string, toDay: string): Promise<AnalysisRunRecord[]> {
    return this.select('from_day <= {toDay:Date} AND to_day >= {fromDay:Date}', { fromDay, toDay });
  }

  /**
   * Records every run still 'running' as failed with `reason` (its row
   * replaced; the time it ended is not known, so none is given). For the
   * runs a process that ended left behind: call only where none can be in
   * progress elsewhere. Returns their IDs.
   */
  async abandon(reason: string): Promise<string[]> {
    const left = await this.select("status = 'running'", {});
    for (const run of left) await this.save({ ...run, status: 'failed', error: reason });
    return left.map((r) => r.runId);
  }

  private async select(where: string, query_params: Record<string, unknown>): Promise<AnalysisRunRecord[]> {
    const rows = await (
      await this.client.query({
        query: `SELECT * FROM ${TABLES.analysisRuns} FINAL WHERE ${where} ORDER BY started_at`,
        query_params,
        format: 'JSONEachRow',
      })
    ).json<{
      run_id: string;
      kind: RunKind;
      started_at: string;
      finished_at: string | null;
      from_day: string;
      to_day: string;
      rules: string[];
      status: RunStatus;
      error: string;
      findings: string;
    }>();
    return rows.map((r) => ({
      runId: r.run_id,
      kind: r.kind,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      fromDay: r.from_day,
      toDay: r.to_day,
      rules: r.rules,
      status: r.status,
      error: r.error,
      findings: Number(r.findings),
    }));
  }
}
