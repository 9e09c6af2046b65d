import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { CLICKHOUSE, TABLES } from '@kansa/storage';
import { NON_ACCESS_ACTIONS } from '@kansa/domain';

export interface MonthWindow {
  from: string; // first day 'YYYY-MM-DD'
  to: string; // last day 'YYYY-MM-DD'
}

export interface FindingQueryRow {
  finding_id: string;
  rule: string;
  rule_version: number;
  severity: string;
  day: string;
  user_id: string;
  subject: string;
  count: string;
  first_at: string | null;
  summary: string;
  params: string;
  status: string;
  outcome: string;
  by: string;
  at: string;
  comment: string;
}

const FINDING_COLUMNS = `
  f.finding_id AS finding_id, f.rule AS rule, f.rule_version AS rule_version, f.severity AS severity,
  toString(f.day) AS day, f.user_id AS user_id, f.subject AS subject, f.count AS count,
  if(isNull(f.first_at), NULL, formatDateTime(assumeNotNull(f.first_at), '%H:%i', 'Asia/Tokyo')) AS first_at,
  f.summary AS summary, f.params AS params,
  if(t.t_n = 0, 'new', t.t_status) AS status, if(t.t_n = 0 OR t.t_outcome = '', 'new', t.t_outcome) AS outcome,
  t.t_by AS by, if(t.t_n = 0, '', formatDateTime(t.t_at, '%Y-%m-%d %H:%i', 'Asia/Tokyo')) AS at, t.t_comment AS comment`;

/** Latest triage per finding: status, the decision before any closing, who, when, comment. */
const TRANSITIONS = `(
  SELECT finding_id, count() AS t_n, argMax(to_status, at) AS t_status,
         argMaxIf(to_status, at, to_status != 'closed') AS t_outcome,
         argMax(by, at) AS t_by, max(at) AS t_at, argMax(comment, at) AS t_comment
  FROM ${TABLES.findingTransitions} GROUP BY finding_id)`;

/** The monthly report's queries, directly on the stored tables (the stable contract). */
@Injectable()
export class ReportDataRepository {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  private async rows<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
    const rs = await this.client.query({ query, query_params: params, format: 'JSONEachRow' });
    return rs.json<T>();
  }

  /** Sources that have ever sent events (a source never connected is not "missing"). */
  async knownSources(): Promise<string[]> {
    const r = await this.rows<{ source: string }>(`SELECT DISTINCT source FROM ${TABLES.events} ORDER BY source`);
    return r.map((x) => x.source);
  }

  async firstEventDay(): Promise<string | null> {
    const [r] = await this.rows<{ d: string; n: string }>(`SELECT toString(min(day)) AS d, count() AS n FROM ${TABLES.events}`);
    return r && Number(r.n) > 0 ? r.d : null;
  }

  async dailyCounts(w: MonthWindow): Promise<Array<{ d: string; source: string; n: string }>> {
    return this.rows(
      `SELECT toString(day) AS d, source, count() AS n FROM ${TABLES.events}
       WHERE day >= {from:Date} AND day <= {to:Date} GROUP BY d, source ORDER BY d, source`,
      { ...w },
    );
  }

  /** Master versions in effect at the end of the month (the earliest version reaches back). */
  async masterVersions(to: string): Promise<Record<string, number>> {
    const r = await this.rows<{ master: string; v_in: number; v_min: number }>(
      `SELECT master, maxIf(version, effective_from < addDays(toDateTime64({to:Date}, 3, 'Asia/Tokyo'), 1)) AS v_in, min(version) AS v_min
       FROM ${TABLES.masterVersions} GROUP BY master`,
      { to },
    );
    return Object.fromEntries(r.map((x) => [x.master, Number(x.v_in) > 0 ? Number(x.v_in) : Number(x.v_min)]));
  }

  async calendarOverrides(version: number | undefined): Promise<Array<{ date: string; kind: '開庁' | '閉庁'; note: string }>> {
    if (version === undefined) return [];
    return this.rows(
      `SELECT toString(date) AS date, kind, note FROM ${TABLES.calendar} WHERE version = {v:UInt32} AND kind IN ('開庁', '閉庁') ORDER BY date`,
      { v: version },
    );
  }

  async staff(version: number | undefined): Promise<Array<{ staff_id: string; name: string; department_code: string; department_name: string; employment_status: string; retired_on: string | null }>> {
    if (version === undefined) return [];
    return this.rows(
      `SELECT staff_id, name, department_code, department_name, employment_status, if(isNull(retired_on), NULL, toString(retired_on)) AS retired_on
       FROM ${TABLES.staff} WHERE version = {v:UInt32}`,
      { v: version },
    );
  }

  async accounts(version: number | undefined): Promise<Array<{ system: string; account_id: string; staff_id: string; state: string; state_changed_on: string | null }>> {
    if (version === undefined) return [];
    return this.rows(
      `SELECT system, account_id, staff_id, state, if(isNull(state_changed_on), NULL, toString(state_changed_on)) AS state_changed_on
       FROM ${TABLES.accounts} WHERE version = {v:UInt32} ORDER BY system, account_id`,
      { v: version },
    );
  }

  async leaves(version: number | undefined): Promise<Array<{ staff_id: string; leave_type: string; start_date: string; end_date: string | null }>> {
    if (version === undefined) return [];
    return this.rows(
      `SELECT staff_id, leave_type, toString(start_date) AS start_date, if(isNull(end_date), NULL, toString(end_date)) AS end_date
       FROM ${TABLES.leaves} WHERE version = {v:UInt32} ORDER BY staff_id, start_date`,
      { v: version },
    );
  }

  /**
   * Last successful login per (source, user) up to the end of the month,
   * looking back `lookbackDays` (years of logs need not be scanned to tell
   * that an ID was unused for 90 days).
   */
  async lastLogins(to: string, lookbackDays: number): Promise<Array<{ source: string; user_id: string; last: string }>> {
    return this.rows(
      `SELECT source, user_id, toString(max(day)) AS last FROM ${TABLES.events}
       WHERE action = 'login' AND outcome != 'failure' AND day <= {to:Date} AND day > subtractDays({to:Date}, {lookback:UInt32})
       GROUP BY source, user_id`,
      { to, lookback: lookbackDays },
    );
  }

  /** Events per user in the month (for the absentees' activity). */
  async eventsPerUser(w: MonthWindow, users: string[]): Promise<Array<{ source: string; user_id: string; n: string }>> {
    if (users.length === 0) return [];
    return this.rows(
      `SELECT source, user_id, count() AS n FROM ${TABLES.events}
       WHERE day >= {from:Date} AND day <= {to:Date} AND user_id IN {users:Array(String)} GROUP BY source, user_id`,
      { ...w, users },
    );
  }

  async runs(w: MonthWindow): Promise<Array<{ run_id: string; kind: string; started: string; finished: string | null; fd: string; td: string; rules: string[]; status: string; findings: string; error: string }>> {
    return this.rows(
      `SELECT run_id, kind, formatDateTime(started_at, '%Y-%m-%d %H:%i', 'Asia/Tokyo') AS started,
              if(isNull(finished_at), NULL, formatDateTime(assumeNotNull(finished_at), '%Y-%m-%d %H:%i', 'Asia/Tokyo')) AS finished,
              toString(from_day) AS fd, toString(to_day) AS td, rules, status, findings, error
       FROM ${TABLES.analysisRuns} FINAL
       WHERE from_day <= {to:Date} AND to_day >= {from:Date}
       ORDER BY started, run_id`,
      { ...w },
    );
  }

  /** Days of the month analysed per rule (ledger), and the days analysed by any rule. */
  async ledger(w: MonthWindow): Promise<Array<{ rule: string; days: string[]; version: number }>> {
    return this.rows(
      `SELECT rule, arraySort(groupUniqArray(toString(day))) AS days, max(rule_version) AS version
       FROM ${TABLES.analysisLedger} FINAL WHERE day >= {from:Date} AND day <= {to:Date} GROUP BY rule ORDER BY rule`,
      { ...w },
    );
  }

  async findings(w: MonthWindow): Promise<FindingQueryRow[]> {
    return this.rows(
      `SELECT ${FINDING_COLUMNS}
       FROM (SELECT * FROM ${TABLES.findings} FINAL WHERE day >= {from:Date} AND day <= {to:Date}) AS f
       LEFT JOIN ${TRANSITIONS} AS t ON t.finding_id = f.finding_id
       ORDER BY day, first_at, rule, user_id, subject`,
      { ...w },
    );
  }

  /** Findings of earlier months still open: not yet reviewed, under review, or action still required. */
  async carriedOver(w: MonthWindow): Promise<FindingQueryRow[]> {
    return this.rows(
      `SELECT * FROM (
         SELECT ${FINDING_COLUMNS}
         FROM (SELECT * FROM ${TABLES.findings} FINAL WHERE day < {from:Date}) AS f
         LEFT JOIN ${TRANSITIONS} AS t ON t.finding_id = f.finding_id)
       WHERE status IN ('new', 'reviewing', 'action_required')
       ORDER BY day, first_at, rule, user_id, subject`,
      { ...w },
    );
  }

  /** Access events by ISO weekday (1 = Monday) and JST hour. */
  async heatmap(w: MonthWindow): Promise<Array<{ dow: number; h: number; n: string }>> {
    return this.rows(
      `SELECT toDayOfWeek(ts) AS dow, toHour(ts) AS h, count() AS n FROM ${TABLES.events}
       WHERE day >= {from:Date} AND day <= {to:Date} AND action NOT IN {nonAccess:Array(String)}
       GROUP BY dow, h`,
      { ...w, nonAccess: NON_ACCESS_ACTIONS },
    );
  }

  async topUsers(w: MonthWindow, limit: number): Promise<Array<{ user_id: string; department_code: string; n: string }>> {
    return this.rows(
      `SELECT user_id, any(department_code) AS department_code, count() AS n FROM ${TABLES.events}
       WHERE day >= {from:Date} AND day <= {to:Date} AND action NOT IN {nonAccess:Array(String)}
       GROUP BY user_id ORDER BY n DESC, user_id LIMIT {limit:UInt32}`,
      { ...w, nonAccess: NON_ACCESS_ACTIONS, limit },
    );
  }

  /** The chain head per source and writer among the import batches that hold events of the month. */
  async chainHeads(w: MonthWindow): Promise<Array<{ source: string; writer: string; head_seq: string; head_hash: string; batches: string; last_import: string }>> {
    return this.rows(
      `SELECT source, writer, max(seq) AS head_seq, argMax(chain_hash, seq) AS head_hash, count() AS batches,
              formatDateTime(max(finished_at), '%Y-%m-%d %H:%i', 'Asia/Tokyo') AS last_import
       FROM ${TABLES.importBatches}
       WHERE batch_id IN (SELECT DISTINCT batch_id FROM ${TABLES.events} WHERE day >= {from:Date} AND day <= {to:Date})
       GROUP BY source, writer ORDER BY source, writer`,
      { ...w },
    );
  }

  async insertReport(row: {
    month: string; format: string; path: string; bytes: number; sha256: string; data_digest: string;
    complete: boolean; findings: number; trigger: string; made_at: string;
  }): Promise<void> {
    await this.client.insert({ table: TABLES.reports, values: [row], format: 'JSONEachRow' });
  }

  async listReports(): Promise<Array<{ month: string; format: string; path: string; bytes: string; sha256: string; data_digest: string; complete: boolean; findings: string; trigger: string; made_at: string }>> {
    return this.rows(
      `SELECT month, format, path, bytes, sha256, data_digest, complete, findings, trigger,
              formatDateTime(made_at, '%Y-%m-%d %H:%i:%S', 'Asia/Tokyo') AS made_at
       FROM ${TABLES.reports} FINAL ORDER BY month DESC, format`,
    );
  }
}
