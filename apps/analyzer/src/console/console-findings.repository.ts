import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import type { FindingStatus, Severity } from '@kansa/domain';
import { CLICKHOUSE, TABLES } from '@kansa/storage';
import type { FindingScope } from './finding-scope';

export const FINDING_SORTS = ['day', 'severity', 'rule', 'user', 'department', 'status', 'count'] as const;
export type FindingSort = (typeof FINDING_SORTS)[number];

export interface FindingQuery {
  from?: string;
  to?: string;
  rules?: readonly string[];
  severities?: readonly Severity[];
  statuses?: readonly FindingStatus[];
  departments?: readonly string[];
  userId?: string;
  assignee?: string;
  ids?: readonly string[];
  scope: FindingScope;
  sort?: FindingSort;
  desc?: boolean;
  offset?: number;
  limit?: number;
}

/** A finding with its triage state, assignment and the department of its staff member (latest staff master). */
export interface FindingStateRow {
  finding_id: string;
  rule: string;
  severity: Severity;
  day: string;
  user_id: string;
  staff_name: string;
  department_code: string;
  department_name: string;
  subject: string;
  count: string;
  summary: string;
  first_at: string | null;
  last_at: string | null;
  evidence_ids: string[];
  status: FindingStatus;
  reviewed_by: string;
  reviewed_at: string | null;
  assignee: string;
}

const TRANSITION_ORDER = '(seq, at, transition_id)';

/**
 * Every finding joined with what the console filters and sorts by: its
 * current triage state (last transition; `new` without one), its assignee
 * (last assignment) and its staff member's department (latest staff master).
 */
const findingState = (inner: string) => `
  SELECT f.finding_id AS finding_id, f.rule AS rule, f.severity AS severity, toString(f.day) AS day, f.user_id AS user_id,
         s.staff_name AS staff_name, s.department_code AS department_code, s.department_name AS department_name,
         f.subject AS subject, f.count AS count, f.summary AS summary, f.first_at AS first_at, f.last_at AS last_at,
         f.evidence_ids AS evidence_ids,
         if(t.status = '', 'new', t.status) AS status, t.reviewed_by AS reviewed_by,
         if(t.status = '', NULL, t.reviewed_at) AS reviewed_at, a.assignee AS assignee
  FROM (SELECT * FROM ${TABLES.findings} FINAL ${inner}) AS f
  LEFT JOIN (
    SELECT finding_id, argMax(to_status, ${TRANSITION_ORDER}) AS status, argMax(by, ${TRANSITION_ORDER}) AS reviewed_by,
           argMax(at, ${TRANSITION_ORDER}) AS reviewed_at
    FROM ${TABLES.findingTransitions} GROUP BY finding_id
  ) AS t ON t.finding_id = f.finding_id
  LEFT JOIN (
    SELECT finding_id, argMax(assignee, at) AS assignee FROM ${TABLES.findingAssignments} GROUP BY finding_id
  ) AS a ON a.finding_id = f.finding_id
  LEFT JOIN (
    SELECT staff_id, argMax(name, version) AS staff_name, argMax(department_code, version) AS department_code,
           argMax(department_name, version) AS department_name
    FROM ${TABLES.staff} GROUP BY staff_id
  ) AS s ON s.staff_id = f.user_id`;

const ORDER: Record<FindingSort, string> = {
  day: 'day',
  severity: "indexOf(['low', 'medium', 'high', 'critical'], severity)",
  rule: 'rule',
  user: 'user_id',
  department: 'department_code',
  status: "indexOf(['new', 'reviewing', 'action_required', 'no_issue', 'false_positive', 'closed'], status)",
  count: 'count',
};

/** The console's reads of findings: filtered, scoped, sorted and paged in storage; counts for the dashboard. */
@Injectable()
export class ConsoleFindingsRepository {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  async page(q: FindingQuery): Promise<{ total: number; rows: FindingStateRow[] }> {
    const { inner, where, params } = conditions(q);
    const order = `${ORDER[q.sort ?? 'day']} ${q.desc === false ? 'ASC' : 'DESC'}, day DESC, rule, user_id, finding_id`;
    const rows = await this.rows<FindingStateRow & { total: string }>(
      `SELECT *, count() OVER () AS total FROM (${findingState(inner)}) ${where} ORDER BY ${order}
       LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
      { ...params, limit: q.limit ?? 50, offset: q.offset ?? 0 },
    );
    return { total: rows.length ? Number(rows[0].total) : 0, rows: rows.map(({ total: _t, ...r }) => r) };
  }

  /** Findings of the period per rule, severity and state. */
  async counts(
    q: Pick<FindingQuery, 'from' | 'to' | 'scope'>,
  ): Promise<Array<{ rule: string; severity: Severity; status: FindingStatus; n: number }>> {
    const { inner, where, params } = conditions(q);
    const rows = await this.rows<{ rule: string; severity: Severity; status: FindingStatus; n: string }>(
      `SELECT rule, severity, status, count() AS n FROM (${findingState(inner)}) ${where} GROUP BY rule, severity, status`,
      params,
    );
    return rows.map((r) => ({ ...r, n: Number(r.n) }));
  }

  /** Findings per month and severity over [fromDay, toDay]. */
  async monthly(fromDay: string, toDay: string): Promise<Array<{ month: string; severity: Severity; n: number }>> {
    const rows = await this.rows<{ month: string; severity: Severity; n: string }>(
      `SELECT formatDateTime(day, '%Y-%m') AS month, severity, count() AS n FROM ${TABLES.findings} FINAL
       WHERE day >= {from:Date} AND day <= {to:Date} GROUP BY month, severity`,
      { from: fromDay, to: toDay },
    );
    return rows.map((r) => ({ ...r, n: Number(r.n) }));
  }

  /** Departments of the latest staff master, for the filters. */
  async departments(): Promise<Array<{ code: string; name: string }>> {
    return this.rows(
      `SELECT department_code AS code, any(department_name) AS name FROM (
         SELECT staff_id, argMax(department_code, version) AS department_code, argMax(department_name, version) AS department_name
         FROM ${TABLES.staff} GROUP BY staff_id)
       WHERE code != '' GROUP BY code ORDER BY code`,
      {},
    );
  }

  /** The department (所属) of each of these staff members in the latest staff master; absent when none names them. */
  async staffDepartments(userIds: readonly string[]): Promise<Map<string, string>> {
    const ids = [...new Set(userIds)].filter(Boolean);
    if (ids.length === 0) return new Map();
    const rows = await this.rows<{ staff_id: string; department_code: string }>(
      `SELECT staff_id, argMax(department_code, version) AS department_code FROM ${TABLES.staff}
       WHERE staff_id IN {ids:Array(String)} GROUP BY staff_id`,
      { ids },
    );
    return new Map(rows.map((r) => [r.staff_id, r.department_code]));
  }

  /** Records an assignment of each finding (empty assignee: withdrawn). */
  async assign(ids: readonly string[], assignee: string, by: string, at: string, comment: string): Promise<void> {
    if (ids.length === 0) return;
    await this.client.insert({
      table: TABLES.findingAssignments,
      format: 'JSONEachRow',
      values: ids.map((id) => ({ finding_id: id, assignee, assigned_by: by, at, comment })),
    });
  }

  private async rows<T>(query: string, query_params: Record<string, unknown>): Promise<T[]> {
    return (await this.client.query({ query, query_params, format: 'JSONEachRow' })).json<T>();
  }
}

/**
 * The query's conditions: those on the finding itself go inside (before the
 * joins, so only the findings asked for are joined), those on its state,
 * department and assignment outside.
 */
function conditions(q: Partial<FindingQuery>): { inner: string; where: string; params: Record<string, unknown> } {
  const inner: string[] = [];
  const outer: string[] = [];
  const params: Record<string, unknown> = {};
  const add = (to: string[], sql: string, name: string, value: unknown) => {
    to.push(sql);
    params[name] = value;
  };
  if (q.from) add(inner, 'day >= {from:Date}', 'from', q.from);
  if (q.to) add(inner, 'day <= {to:Date}', 'to', q.to);
  if (q.rules?.length) add(inner, 'rule IN {rules:Array(String)}', 'rules', q.rules);
  if (q.severities?.length) add(inner, 'severity IN {severities:Array(String)}', 'severities', q.severities);
  if (q.userId) add(inner, 'user_id = {userId:String}', 'userId', q.userId);
  if (q.ids) add(inner, 'finding_id IN {ids:Array(String)}', 'ids', q.ids);
  if (q.statuses?.length) add(outer, 'status IN {statuses:Array(String)}', 'statuses', q.statuses);
  if (q.departments?.length) add(outer, 'department_code IN {departments:Array(String)}', 'departments', q.departments);
  if (q.assignee !== undefined) add(outer, 'assignee = {assignee:String}', 'assignee', q.assignee);
  if (q.scope && !q.scope.all) {
    outer.push("((assignee != '' AND assignee = {scopeAssignee:String}) OR department_code IN {scopeDepartments:Array(String)})");
    params.scopeAssignee = q.scope.assignee;
    params.scopeDepartments = q.scope.departments;
  }
  const clause = (list: string[]) => (list.length ? `WHERE ${list.join(' AND ')}` : '');
  return { inner: clause(inner), where: clause(outer), params };
}
