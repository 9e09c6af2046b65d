import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { CLICKHOUSE, eventDays, TABLES } from '@kansa/storage';
import type { ExceptionRecord } from './exception.model';

interface ExceptionRow {
  exception_id: string;
  version: string | number;
  state: 'active' | 'revoked';
  rule: string;
  user_ids: string[];
  departments: string[];
  sources: string[];
  business_codes: string[];
  valid_from: string;
  valid_to: string;
  days: string[];
  max_count: string | number | null;
  reason: string;
  reference: string;
  requested_by: string;
  approved_by: string;
  changed_at: string;
  changed_by: string;
  note: string;
}

/** `exceptions`: every version of every approved exception (append-only). */
@Injectable()
export class ExceptionsRepository {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  async insert(x: ExceptionRecord): Promise<void> {
    await this.client.insert({
      table: TABLES.exceptions,
      format: 'JSONEachRow',
      values: [
        {
          exception_id: x.id,
          version: x.version,
          state: x.state,
          rule: x.rule,
          user_ids: x.userIds,
          departments: x.departments,
          sources: x.sources,
          business_codes: x.businessCodes,
          valid_from: x.validFrom,
          valid_to: x.validTo,
          days: x.days,
          max_count: x.maxCount,
          reason: x.reason,
          reference: x.reference,
          requested_by: x.requestedBy,
          approved_by: x.approvedBy,
          changed_at: x.changedAt,
          changed_by: x.changedBy,
          note: x.note,
        },
      ],
    });
  }

  /** The latest version of every exception (of a rule, when given), by ID. */
  async latest(rule?: string): Promise<ExceptionRecord[]> {
    return this.select(
      `WHERE (exception_id, version) IN (SELECT exception_id, max(version) FROM ${TABLES.exceptions} GROUP BY exception_id)
       ${rule ? 'AND rule = {rule:String}' : ''} ORDER BY exception_id`,
      { rule: rule ?? '' },
    );
  }

  /** Every version of one exception, oldest first. */
  versions(id: string): Promise<ExceptionRecord[]> {
    return this.select('WHERE exception_id = {id:String} ORDER BY version', { id });
  }

  private async select(tail: string, params: Record<string, unknown>): Promise<ExceptionRecord[]> {
    const rs = await this.client.query({
      query: `SELECT exception_id, version, toString(state) AS state, rule, user_ids, departments, sources, business_codes,
                toString(valid_from) AS valid_from, toString(valid_to) AS valid_to, arrayMap(d -> toString(d), days) AS days,
                max_count, reason, reference, requested_by, approved_by, changed_at, changed_by, note
              FROM ${TABLES.exceptions} ${tail}`,
      query_params: params,
      format: 'JSONEachRow',
    });
    return (await rs.json<ExceptionRow>()).map((r) => ({
      id: r.exception_id,
      version: Number(r.version),
      state: r.state,
      rule: r.rule,
      userIds: r.user_ids,
      departments: r.departments,
      sources: r.sources,
      businessCodes: r.business_codes,
      validFrom: r.valid_from,
      validTo: r.valid_to,
      days: r.days,
      maxCount: r.max_count === null ? null : Number(r.max_count),
      reason: r.reason,
      reference: r.reference,
      requestedBy: r.requested_by,
      approvedBy: r.approved_by,
      changedAt: r.changed_at,
      changedBy: r.changed_by,
      note: r.note,
    }));
  }
}

/** What an exception's scope needs to know of findings: their users' departments and their evidence's systems and business codes. */
@Injectable()
export class FindingFactsRepository {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  /** Department of each staff ID in a staff master version. */
  async departments(staffVersion: number, userIds: readonly string[]): Promise<Map<string, string>> {
    if (userIds.length === 0) return new Map();
    const rs = await this.client.query({
      query: `SELECT staff_id, any(department_code) AS department FROM ${TABLES.staff}
              WHERE version = {version:UInt32} AND staff_id IN {ids:Array(String)} GROUP BY staff_id`,
      query_params: { version: staffVersion, ids: userIds },
      format: 'JSONEachRow',
    });
    return new Map((await rs.json<{ staff_id: string; department: string }>()).map((r) => [r.staff_id, r.department]));
  }

  /** Source and business code of each event (evidence of findings), looked up by ID in the days given (their partitions). */
  async eventScope(
    eventIds: readonly string[],
    fromDay: string,
    toDay: string,
  ): Promise<Map<string, { source: string; businessCode: string }>> {
    if (eventIds.length === 0) return new Map();
    const rs = await this.client.query({
      query: `SELECT event_id, any(source) AS source, any(business_code) AS business_code FROM ${TABLES.events}
              WHERE event_id IN {ids:Array(String)} AND ${eventDays('{fromDay:Date}', '{toDay:Date}')} GROUP BY event_id`,
      query_params: { ids: eventIds, fromDay, toDay },
      format: 'JSONEachRow',
    });
    return new Map(
      (await rs.json<{ event_id: string; source: string; business_code: string }>()).map((r) => [
        r.event_id,
        { source: r.source, businessCode: r.business_code },
      ]),
    );
  }
}
