import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import type { FindingStatus, Severity } from '@kansa/domain';
import { CLICKHOUSE, SqlConditions, TABLES } from '@kansa/storage';
import type { FindingFilter, FindingRecord } from './findings.types';

export type { FindingRecord } from './findings.types';

/** One stored triage transition: its place in the history (`seq`, 0 for rows written before 080) and id. */
export interface TransitionRecord {
  seq: number;
  transitionId: string;
  at: string;
  by: string;
  from: FindingStatus;
  to: FindingStatus;
  comment: string;
}

/**
 * The order of a finding's transitions: by place, then (rows of before
 * migration 080, all seq 0) by time. Every reader of the current state uses
 * it; the id only breaks ties so that all readers agree.
 */
export const TRANSITION_ORDER = '(seq, at, transition_id)';

export interface StatusRecord {
  status: FindingStatus;
  by: string | null;
  at: string | null;
  comment: string | null;
}

interface FindingRow {
  finding_id: string;
  rule: string;
  rule_version: number;
  severity: Severity;
  day: string;
  user_id: string;
  subject: string;
  count: string | number;
  first_at: string | null;
  last_at: string | null;
  summary: string;
  details: string;
  evidence_ids: string[];
  evidence_total: string | number;
  params: string;
  window_from: string;
  window_to: string;
  run_id: string;
  detected_at: string;
  updated_at: string;
  exception_id: string;
  exception_version: string | number;
  exception_reference: string;
}

/** Reads and writes `findings` and the append-only `finding_transitions`. */
@Injectable()
export class FindingsRepository {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  /**
   * First detection of the findings of a rule dated inside [fromDay, toDay],
   * and of the given IDs wherever they are dated (absent: never stored).
   */
  async detectedAt(scope: { rule: string; fromDay: string; toDay: string; ids: readonly string[] }): Promise<Map<string, string>> {
    const rows = await this.rows<{ finding_id: string; first_detected: string }>(
      `SELECT finding_id, min(detected_at) AS first_detected FROM ${TABLES.findings}
       WHERE rule = {rule:String} AND ((day >= {fromDay:Date} AND day <= {toDay:Date}) OR finding_id IN {ids:Array(FixedString(32))})
       GROUP BY finding_id`,
      scope,
    );
    return new Map(rows.map((r) => [r.finding_id, r.first_detected]));
  }

  async upsert(records: readonly FindingRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.client.insert({
      table: TABLES.findings,
      format: 'JSONEachRow',
      values: records.map((r) => ({
        finding_id: r.findingId,
        rule: r.rule,
        rule_version: r.ruleVersion,
        severity: r.severity,
        day: r.day,
        user_id: r.userId,
        subject: r.subject,
        count: r.count,
        first_at: r.firstAt,
        last_at: r.lastAt,
        summary: r.summary,
        details: JSON.stringify(r.details),
        evidence_ids: r.evidenceIds,
        evidence_total: r.evidenceTotal,
        params: JSON.stringify(r.params),
        window_from: r.windowFrom,
        window_to: r.windowTo,
        run_id: r.runId,
        detected_at: r.detectedAt,
        updated_at: r.updatedAt,
        exception_id: r.exception?.id ?? '',
        exception_version: r.exception?.version ?? 0,
        exception_reference: r.exception?.reference ?? '',
      })),
    });
  }

  /** Findings matching the filter (latest version of each), newest day first; statuses applied by the caller. */
  async list(filter: Omit<FindingFilter, 'statuses' | 'limit'>, ids?: readonly string[]): Promise<FindingRecord[]> {
    const q = new SqlConditions()
      .when(filter.from || undefined, 'day >= {from:Date}', 'from')
      .when(filter.to || undefined, 'day <= {to:Date}', 'to')
      .when(filter.rules?.length ? filter.rules : undefined, 'rule IN {rules:Array(String)}', 'rules')
      .when(filter.userId || undefined, 'user_id = {userId:String}', 'userId')
      .when(ids, 'finding_id IN {ids:Array(FixedString(32))}', 'ids');
    const rows = await this.rows<FindingRow>(
      `SELECT * FROM ${TABLES.findings} FINAL ${q.where} ORDER BY day DESC, rule, user_id, subject`,
      q.params,
    );
    return rows.map(toRecord);
  }

  /** The current triage state of each finding: its last transition (`new` when none). */
  async statuses(ids: readonly string[] | 'all'): Promise<Map<string, StatusRecord>> {
    const out = new Map<string, StatusRecord>();
    const rows = await this.rows<{ finding_id: string; status: FindingStatus; last_by: string; last_at: string; last_comment: string }>(
      `SELECT finding_id, argMax(to_status, ${TRANSITION_ORDER}) AS status, argMax(by, ${TRANSITION_ORDER}) AS last_by,
              argMax(at, ${TRANSITION_ORDER}) AS last_at, argMax(comment, ${TRANSITION_ORDER}) AS last_comment
       FROM ${TABLES.findingTransitions}
       ${ids === 'all' ? '' : 'WHERE finding_id IN {ids:Array(FixedString(32))}'}
       GROUP BY finding_id`,
      ids === 'all' ? {} : { ids },
    );
    for (const r of rows) out.set(r.finding_id, { status: r.status, by: r.last_by, at: r.last_at, comment: r.last_comment });
    return out;
  }

  /** A finding's history, oldest first: one transition per place (the one `statuses` counts). */
  async history(id: string): Promise<TransitionRecord[]> {
    const rows = await this.rows<{
      seq: number;
      transition_id: string;
      at: string;
      by: string;
      from_status: FindingStatus;
      to_status: FindingStatus;
      comment: string;
    }>(
      `SELECT seq, transition_id, at, by, from_status, to_status, comment FROM ${TABLES.findingTransitions}
       WHERE finding_id = {id:FixedString(32)} ORDER BY ${TRANSITION_ORDER}`,
      { id },
    );
    const records = rows.map((r) => ({
      seq: Number(r.seq),
      transitionId: r.transition_id,
      at: r.at,
      by: r.by,
      from: r.from_status,
      to: r.to_status,
      comment: r.comment,
    }));
    // A place holds one row (deduplication); should a second ever be stored, the last in the order counts, as in `statuses`.
    return records.filter((r, i) => r.seq === 0 || records[i + 1]?.seq !== r.seq);
  }

  /**
   * Appends a transition at place `seq` unless another writer took that place
   * first: the insert is deduplicated on '<finding_id>:<seq>', so only one
   * writer's row is stored there. Resolves to true when it is this one's.
   */
  async appendTransition(t: TransitionRecord & { findingId: string }): Promise<boolean> {
    // The token is written into the statement (SETTINGS of this INSERT only), never passed as
    // clickhouse_settings: the embedded engine's connection turns those into session-wide SETs,
    // which would deduplicate every later insert of the process against this token. insert_deduplicate
    // is named too: a session may have switched it off (the token wins over it in ClickHouse 26).
    if (!/^[0-9a-f]{32}$/.test(t.findingId) || !Number.isInteger(t.seq) || t.seq < 1)
      throw new Error(`invalid transition place ${t.findingId}:${t.seq}`);
    await this.client.command({
      query: `INSERT INTO ${TABLES.findingTransitions} (finding_id, seq, transition_id, at, by, from_status, to_status, comment)
              SETTINGS insert_deduplicate = 1, insert_deduplication_token = '${t.findingId}:${t.seq}'
              SELECT {id:FixedString(32)}, {seq:UInt32}, {transitionId:String}, {at:DateTime64(3, 'Asia/Tokyo')}, {by:String}, {from:String}, {to:String}, {comment:String}`,
      query_params: {
        id: t.findingId,
        seq: t.seq,
        transitionId: t.transitionId,
        at: t.at,
        by: t.by,
        from: t.from,
        to: t.to,
        comment: t.comment,
      },
    });
    const [stored] = await this.rows<{ transition_id: string }>(
      `SELECT argMax(transition_id, ${TRANSITION_ORDER}) AS transition_id FROM ${TABLES.findingTransitions}
       WHERE finding_id = {id:FixedString(32)} AND seq = {seq:UInt32}`,
      { id: t.findingId, seq: t.seq },
    );
    return stored?.transition_id === t.transitionId;
  }

  /** Removes findings the data no longer supports (the analyzer withdraws only untriaged ones). */
  async withdraw(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.client.command({
      query: `DELETE FROM ${TABLES.findings} WHERE finding_id IN {ids:Array(FixedString(32))}`,
      query_params: { ids },
    });
  }

  private async rows<T>(query: string, query_params: Record<string, unknown>): Promise<T[]> {
    const rs = await this.client.query({ query, query_params, format: 'JSONEachRow' });
    return rs.json<T>();
  }
}

function toRecord(r: FindingRow): FindingRecord {
  return {
    findingId: r.finding_id,
    rule: r.rule,
    ruleVersion: Number(r.rule_version),
    severity: r.severity,
    day: r.day,
    userId: r.user_id,
    subject: r.subject,
    count: Number(r.count),
    firstAt: r.first_at,
    lastAt: r.last_at,
    summary: r.summary,
    details: parseJson(r.details),
    evidenceIds: r.evidence_ids,
    evidenceTotal: Number(r.evidence_total),
    params: parseJson(r.params),
    windowFrom: r.window_from,
    windowTo: r.window_to,
    runId: r.run_id,
    detectedAt: r.detected_at,
    updatedAt: r.updated_at,
    exception: r.exception_id ? { id: r.exception_id, version: Number(r.exception_version), reference: r.exception_reference } : null,
  };
}

function parseJson(text: string): Record<string, unknown> {
  if (!text) return {};
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { raw: text };
  }
}
