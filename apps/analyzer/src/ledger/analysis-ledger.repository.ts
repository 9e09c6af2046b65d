import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { CLICKHOUSE, TABLES } from '@kansa/storage';

/** The state of one source's data on one day: how many events, and the latest arrival. */
export interface DataState {
  events: number;
  /** max(ingested_at), or '' when the day has no events. */
  mark: string;
}

export interface LedgerEntry {
  rule: string;
  day: string;
  source: string;
  ruleVersion: number;
  eventsSeen: number;
  dataMark: string;
  analyzedAt: string;
  runId: string;
}

/** The epoch stands for "no events" in data_mark. */
export const NO_DATA_MARK = '1970-01-01 09:00:00.000';

/** What has been analysed (rule × day × source) and the state of the data then. */
@Injectable()
export class AnalysisLedgerRepository {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  /** Events per (source, day) in the range: key `${source}|${day}`. */
  async dataState(fromDay: string, toDay: string): Promise<Map<string, DataState>> {
    const rows = await this.rows<{ source: string; day: string; n: string; mark: string }>(
      `SELECT source, day, count() AS n, max(ingested_at) AS mark FROM ${TABLES.events}
       WHERE day >= {fromDay:Date} AND day <= {toDay:Date} GROUP BY source, day`,
      { fromDay, toDay },
    );
    return new Map(rows.map((r) => [`${r.source}|${r.day}`, { events: Number(r.n), mark: r.mark }]));
  }

  /** The first day that has events, or null for an empty store. */
  async firstEventDay(): Promise<string | null> {
    const [row] = await this.rows<{ n: string; first: string }>(`SELECT count() AS n, min(day) AS first FROM ${TABLES.events}`, {});
    return row && Number(row.n) > 0 ? row.first : null;
  }

  /** The latest ledger entry per (rule, day, source) in the range: key `${rule}|${day}|${source}`. */
  async entries(fromDay: string, toDay: string): Promise<Map<string, LedgerEntry>> {
    const rows = await this.rows<{
      rule: string; day: string; source: string; version: number; seen: string; mark: string; last_at: string; last_run: string;
    }>(
      `SELECT rule, day, source, argMax(rule_version, analyzed_at) AS version, argMax(events_seen, analyzed_at) AS seen,
              argMax(data_mark, analyzed_at) AS mark, max(analyzed_at) AS last_at, argMax(run_id, analyzed_at) AS last_run
       FROM ${TABLES.analysisLedger}
       WHERE day >= {fromDay:Date} AND day <= {toDay:Date}
       GROUP BY rule, day, source`,
      { fromDay, toDay },
    );
    return new Map(
      rows.map((r) => [
        `${r.rule}|${r.day}|${r.source}`,
        {
          rule: r.rule, day: r.day, source: r.source, ruleVersion: Number(r.version), eventsSeen: Number(r.seen),
          dataMark: r.mark, analyzedAt: r.last_at, runId: r.last_run,
        },
      ]),
    );
  }

  async record(entries: readonly LedgerEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.client.insert({
      table: TABLES.analysisLedger,
      format: 'JSONEachRow',
      values: entries.map((e) => ({
        rule: e.rule, day: e.day, source: e.source, rule_version: e.ruleVersion, events_seen: e.eventsSeen,
        data_mark: e.dataMark || NO_DATA_MARK, analyzed_at: e.analyzedAt, run_id: e.runId,
      })),
    });
  }

  private async rows<T>(query: string, query_params: Record<string, unknown>): Promise<T[]> {
    return (await this.client.query({ query, query_params, format: 'JSONEachRow' })).json<T>();
  }
}
