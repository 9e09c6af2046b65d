import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { CLICKHOUSE, TABLES } from '@kansa/storage';
import { NON_ACCESS_ACTIONS, untriagedStatusSql } from '@kansa/domain';
import { TRANSITION_ORDER } from '../../findings/findings.repository';

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
  details: string;
  params: string;
  status: string;
  /** The latest decision (no_issue, action_required, false_positive), '' when none. */
  decision: string;
  decision_by: string;
  decision_at: string;
  decision_comment: string;
  close_comment: string;
  last_by: string;
  last_at: string;
  last_comment: string;
  /** The approved exception that covers it, '' when none. */
  exception_id: string;
}

/** A failure to make a month's report (report_failures, migration 250). */
export interface ReportFailure {
  month: string;
  /** 'YYYY-MM-DD HH:mm' JST. */
  at: string;
  /** Who asked: auto (the monthly job), console, manual (kansa report), finalize, demo. */
  trigger: string;
  /** The format being rendered when it failed; '' when it failed before rendering. */
  format: string;
  message: string;
}

export interface CheckQueryRow {
  at: string;
  ok: boolean;
  batches_checked: string;
  expired: string;
  content_from: string;
  content_to: string;
  chains: Array<{ source: string; writer: string; batches: string; head: string }>;
  problem: string;
  /** The older batches recomputed in turns (0: none) and this check's part. */
  older_parts: number;
  older_part: number;
  /** Of those parts, how many a verification that held has recomputed, and the earliest of their latest such checks ('' unless all). */
  older_parts_checked: number;
  older_cycle_since: string;
}

const DECISIONS = "('no_issue', 'action_required', 'false_positive')";

const FINDING_COLUMNS = `
  f.finding_id AS finding_id, f.rule AS rule, f.rule_version AS rule_version, f.severity AS severity,
  toString(f.day) AS day, f.user_id AS user_id, f.subject AS subject, f.count AS count,
  if(isNull(f.first_at), NULL, formatDateTime(assumeNotNull(f.first_at), '%H:%i', 'Asia/Tokyo')) AS first_at,
  f.summary AS summary, f.details AS details, f.params AS params,
  if(t.t_n = 0, ${untriagedStatusSql('f.exception_id')}, t.t_status) AS status, t.t_decision AS decision, t.t_decision_by AS decision_by,
  if(t.t_decision = '', '', formatDateTime(t.t_decision_at, '%Y-%m-%d %H:%i', 'Asia/Tokyo')) AS decision_at,
  t.t_decision_comment AS decision_comment, t.t_close_comment AS close_comment,
  t.t_by AS last_by, if(t.t_n = 0, '', formatDateTime(t.t_at, '%Y-%m-%d %H:%i', 'Asia/Tokyo')) AS last_at, t.t_comment AS last_comment,
  f.exception_id AS exception_id`;

/**
 * Per finding, in the one order of its history (TRANSITION_ORDER): the
 * current state, the latest decision with who, when and what they wrote,
 * the closing comment, and the latest change.
 */
const TRANSITIONS = `(
  SELECT finding_id, count() AS t_n, argMax(to_status, ${TRANSITION_ORDER}) AS t_status,
         argMaxIf(to_status, ${TRANSITION_ORDER}, to_status IN ${DECISIONS}) AS t_decision,
         argMaxIf(by, ${TRANSITION_ORDER}, to_status IN ${DECISIONS}) AS t_decision_by,
         argMaxIf(at, ${TRANSITION_ORDER}, to_status IN ${DECISIONS}) AS t_decision_at,
         argMaxIf(comment, ${TRANSITION_ORDER}, to_status IN ${DECISIONS}) AS t_decision_comment,
         argMaxIf(comment, ${TRANSITION_ORDER}, to_status = 'closed') AS t_close_comment,
         argMax(by, ${TRANSITION_ORDER}) AS t_by, argMax(at, ${TRANSITION_ORDER}) AS t_at, argMax(comment, ${TRANSITION_ORDER}) AS t_comment
  FROM ${TABLES.findingTransitions} GROUP BY finding_id)`;

/**
 * The import batches of a month: those whose first event is on a day of the
 * month; a batch that stored nothing, by the day it was imported; batches
 * recorded before their event days were kept, by the events they hold.
 */
const MONTH_BATCHES = `(
  SELECT batch_id FROM ${TABLES.importBatches}
  WHERE (first_day != '' AND first_day >= {from:String} AND first_day <= {to:String})
     OR (first_day = '' AND stored = 0 AND toDate(finished_at) >= {from:Date} AND toDate(finished_at) <= {to:Date})
     OR (first_day = '' AND stored > 0
         AND batch_id IN (SELECT DISTINCT batch_id FROM ${TABLES.events} WHERE day >= {from:Date} AND day <= {to:Date})))`;

/** The monthly report's queries, directly on the stored tables (the stable contract). */
@Injectable()
export class ReportDataRepository {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  private async rows<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
    const rs = await this.client.query({ query, query_params: params, format: 'JSONEachRow' });
    return rs.json<T>();
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

  async staff(version: number | undefined): Promise<
    Array<{
      staff_id: string;
      name: string;
      department_code: string;
      department_name: string;
      employment_status: string;
      retired_on: string | null;
    }>
  > {
    if (version === undefined) return [];
    return this.rows(
      `SELECT staff_id, name, department_code, department_name, employment_status, if(isNull(retired_on), NULL, toString(retired_on)) AS retired_on
       FROM ${TABLES.staff} WHERE version = {v:UInt32}`,
      { v: version },
    );
  }

  async accounts(
    version: number | undefined,
  ): Promise<Array<{ system: string; account_id: string; staff_id: string; state: string; state_changed_on: string | null }>> {
    if (version === undefined) return [];
    return this.rows(
      `SELECT system, account_id, staff_id, state, if(isNull(state_changed_on), NULL, toString(state_changed_on)) AS state_changed_on
       FROM ${TABLES.accounts} WHERE version = {v:UInt32} ORDER BY system, account_id`,
      { v: version },
    );
  }

  async leaves(
    version: number | undefined,
  ): Promise<Array<{ staff_id: string; leave_type: string; start_date: string; end_date: string | null }>> {
    if (version === undefined) return [];
    return this.rows(
      `SELECT staff_id, leave_type, toString(start_date) AS start_date, if(isNull(end_date), NULL, toString(end_date)) AS end_date
       FROM ${TABLES.leaves} WHERE version = {v:UInt32} ORDER BY staff_id, start_date`,
      { v: version },
    );
  }

  /** Events per account and day in the month (for the absentees' use while absent). */
  async eventsPerUserDay(w: MonthWindow, users: string[]): Promise<Array<{ source: string; user_id: string; d: string; n: string }>> {
    if (users.length === 0) return [];
    return this.rows(
      `SELECT source, user_id, toString(e.day) AS d, count() AS n FROM ${TABLES.events} AS e
       WHERE e.day >= {from:Date} AND e.day <= {to:Date} AND user_id IN {users:Array(String)} GROUP BY source, user_id, e.day`,
      { ...w, users },
    );
  }

  /**
   * The first day with stored events, per source that has any (how far back
   * each system's logs reach). Asked of the events' (source, day) pairs, which
   * the day_state projection answers (a granule of each part), not of the
   * rows: seven years kept are billions of them (docs/analyzer.md, "Events
   * by ID over years kept": the questions over all the years kept).
   */
  async firstDays(): Promise<Array<{ source: string; d: string }>> {
    return this.rows(
      `SELECT toString(source) AS source, toString(min(day)) AS d
       FROM (SELECT source, day FROM ${TABLES.events} GROUP BY source, day) GROUP BY source`,
    );
  }

  /** Events of the month per action (what "access" leaves out). */
  async actionCounts(w: MonthWindow): Promise<Array<{ action: string; n: string }>> {
    return this.rows(
      `SELECT toString(action) AS action, count() AS n FROM ${TABLES.events} WHERE day >= {from:Date} AND day <= {to:Date} GROUP BY action`,
      { ...w },
    );
  }

  /** Findings per month, rule and severity over [from, to] (the 12-month trend). */
  async findingCounts(w: MonthWindow): Promise<Array<{ month: string; rule: string; severity: string; n: string }>> {
    return this.rows(
      `SELECT formatDateTime(day, '%Y-%m') AS month, rule, severity, count() AS n
       FROM ${TABLES.findings} FINAL WHERE day >= {from:Date} AND day <= {to:Date} GROUP BY month, rule, severity`,
      { ...w },
    );
  }

  /** Months of [from, to] with any day analysed (ledger). */
  async analysedMonths(w: MonthWindow): Promise<string[]> {
    const r = await this.rows<{ month: string }>(
      `SELECT DISTINCT formatDateTime(day, '%Y-%m') AS month FROM ${TABLES.analysisLedger} WHERE day >= {from:Date} AND day <= {to:Date}`,
      { ...w },
    );
    return r.map((x) => x.month);
  }

  /** Lines of the month's import batches per source: read, stored, duplicates, set aside as unreadable. */
  async intake(
    w: MonthWindow,
  ): Promise<Array<{ source: string; batches: string; read: string; stored: string; duplicates: string; quarantined: string }>> {
    return this.rows(
      `SELECT toString(source) AS source, count() AS batches, sum(lines_read) AS read, sum(stored) AS stored,
              sum(duplicates) AS duplicates, sum(quarantined) AS quarantined
       FROM ${TABLES.importBatches} WHERE batch_id IN ${MONTH_BATCHES} GROUP BY source`,
      { ...w },
    );
  }

  /** Why lines of the month's batches were set aside (quarantine), per source, field and reason. */
  async rejectedReasons(w: MonthWindow): Promise<Array<{ source: string; field: string; reason: string; n: string }>> {
    return this.rows(
      `SELECT toString(source) AS source, field, reason, count() AS n FROM ${TABLES.quarantine}
       WHERE batch_id IN ${MONTH_BATCHES} GROUP BY source, field, reason`,
      { ...w },
    );
  }

  /** Batches storage refused as a whole that still wait for a replay or a discard (any month). */
  async setAsideWaiting(): Promise<Array<{ source: string; origin: string; lines: string; reason: string; since: string }>> {
    return this.rows(
      `SELECT toString(source) AS source, origin, lines, reason, formatDateTime(set_aside_at, '%Y-%m-%d %H:%i', 'Asia/Tokyo') AS since
       FROM ${TABLES.setAsideBatches} FINAL WHERE state = 'set_aside' ORDER BY set_aside_at, batch_id`,
    );
  }

  async runs(w: MonthWindow): Promise<
    Array<{
      run_id: string;
      kind: string;
      started: string;
      finished: string | null;
      fd: string;
      td: string;
      rules: string[];
      status: string;
      findings: string;
      error: string;
    }>
  > {
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

  /** Per chain (source and writer): its latest head, and the batches holding events of the month. */
  async chainHeads(w: MonthWindow): Promise<
    Array<{
      source: string;
      writer: string;
      head_seq: string;
      head_hash: string;
      last_import: string;
      month_batches: string;
      month_from: string;
      month_to: string;
    }>
  > {
    return this.rows(
      `SELECT toString(source) AS source, toString(writer) AS writer, max(seq) AS head_seq, argMax(chain_hash, seq) AS head_hash,
              formatDateTime(max(finished_at), '%Y-%m-%d %H:%i', 'Asia/Tokyo') AS last_import,
              countIf(in_month) AS month_batches, minIf(seq, in_month) AS month_from, maxIf(seq, in_month) AS month_to
       FROM (SELECT *, batch_id IN ${MONTH_BATCHES} AS in_month FROM ${TABLES.importBatches})
       GROUP BY source, writer ORDER BY source, writer`,
      { ...w },
    );
  }

  /** The latest kansa verify (integrity_checks), or null when never run. */
  async latestCheck(): Promise<CheckQueryRow | null> {
    const [r] = await this.rows<Omit<CheckQueryRow, 'older_parts_checked' | 'older_cycle_since'>>(
      `SELECT formatDateTime(checked_at, '%Y-%m-%d %H:%i', 'Asia/Tokyo') AS at, ok, batches_checked, expired,
              content_from, content_to, chains, problem, older_parts, older_part
       FROM ${TABLES.integrityChecks} ORDER BY checked_at DESC LIMIT 1`,
    );
    if (!r) return null;
    const [turns] = await this.rows<{ parts: string; since: string }>(
      `SELECT count() AS parts, if(count() = {n:UInt16}, formatDateTime(min(last), '%Y-%m-%d %H:%i', 'Asia/Tokyo'), '') AS since
       FROM (SELECT older_part, max(checked_at) AS last FROM ${TABLES.integrityChecks}
             WHERE older_parts = {n:UInt16} AND ok GROUP BY older_part)`,
      { n: Number(r.older_parts) },
    );
    return { ...r, older_parts_checked: Number(turns.parts), older_cycle_since: turns.since };
  }

  /** The finalisation of a month in force: the latest (report_finalisations is append-only). */
  async latestFinalisation(month: string): Promise<{ by: string; at: string; reason: string; undecided: string[] } | null> {
    const [r] = await this.rows<{ by: string; at: string; reason: string; undecided: string[] }>(
      `SELECT by, formatDateTime(finalised_at, '%Y-%m-%d %H:%i', 'Asia/Tokyo') AS at, reason, undecided
       FROM ${TABLES.reportFinalisations} WHERE month = {month:String} ORDER BY finalised_at DESC LIMIT 1`,
      { month },
    );
    return r ?? null;
  }

  async insertFinalisation(row: {
    month: string;
    finalised_at: string;
    by: string;
    reason: string;
    undecided: string[];
    data_digest: string;
  }): Promise<void> {
    await this.client.insert({ table: TABLES.reportFinalisations, values: [row], format: 'JSONEachRow' });
  }

  async insertReport(row: {
    month: string;
    format: string;
    path: string;
    bytes: number;
    sha256: string;
    data_digest: string;
    complete: boolean;
    findings: number;
    trigger: string;
    made_at: string;
  }): Promise<void> {
    await this.client.insert({ table: TABLES.reports, values: [row], format: 'JSONEachRow' });
  }

  async insertReportFailure(row: { month: string; failed_at: string; trigger: string; format: string; message: string }): Promise<void> {
    await this.client.insert({ table: TABLES.reportFailures, values: [row], format: 'JSONEachRow' });
  }

  /** The latest failure to make a month's report after its latest report (none once it is made again). */
  async lastReportFailure(month: string): Promise<ReportFailure | null> {
    const [r] = await this.rows<ReportFailure>(
      `SELECT month, formatDateTime(failed_at, '%Y-%m-%d %H:%i', 'Asia/Tokyo') AS at, trigger, format, message
       FROM ${TABLES.reportFailures}
       WHERE month = {month:String}
         AND failed_at > (SELECT max(made_at) FROM ${TABLES.reports} WHERE month = {month:String})
       ORDER BY failed_at DESC LIMIT 1`,
      { month },
    );
    return r ?? null;
  }

  async listReports(): Promise<
    Array<{
      month: string;
      format: string;
      path: string;
      bytes: string;
      sha256: string;
      data_digest: string;
      complete: boolean;
      findings: string;
      trigger: string;
      made_at: string;
    }>
  > {
    return this.rows(
      `SELECT month, format, path, bytes, sha256, data_digest, complete, findings, trigger,
              formatDateTime(made_at, '%Y-%m-%d %H:%i:%S', 'Asia/Tokyo') AS made_at
       FROM ${TABLES.reports} FINAL ORDER BY month DESC, format`,
    );
  }
}
