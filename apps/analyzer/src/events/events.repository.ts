import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { NormalizedEvent } from '@kansa/domain';
import { CLICKHOUSE, SqlConditions, TABLES } from '@kansa/storage';

/** The fields of an access as staff read it in a 開示請求 answer or an investigation (the domain's event, stored). */
const ACCESS_FIELDS = [
  'source',
  'userId',
  'userName',
  'departmentCode',
  'terminalId',
  'action',
  'screenId',
  'businessCode',
  'subjectId',
  'myNumberShown',
  'recordCount',
  'reason',
  'outcome',
] as const satisfies ReadonlyArray<keyof NormalizedEvent>;

/** One access: its stored ID and JST time, and the event's fields. */
export type AccessEvent = { eventId: string; ts: string } & Pick<NormalizedEvent, (typeof ACCESS_FIELDS)[number]>;

const COLUMNS = ['event_id AS eventId', 'ts', ...ACCESS_FIELDS.map((f) => `${snakeCase(f)} AS ${f}`)].join(', ');

function snakeCase(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Whose accesses: to any of these residents' numbers, or by this staff ID; days inclusive (JST). */
export interface AccessFilter {
  subjectIds?: readonly string[];
  userId?: string;
  fromDay?: string;
  toDay?: string;
  limit: number;
}

/** Reads stored events as accesses, and resolves a resident's numbers through residents.csv. */
@Injectable()
export class EventsRepository {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  /** The number given plus its counterparts (宛名番号 ⇔ 統合宛名番号) in any version of residents.csv. */
  async residentNumbers(id: string): Promise<string[]> {
    const rows = await (
      await this.client.query({
        query: `SELECT DISTINCT resident_id, integrated_id FROM ${TABLES.residents}
                WHERE resident_id = {id:String} OR integrated_id = {id:String}`,
        query_params: { id },
        format: 'JSONEachRow',
      })
    ).json<{ resident_id: string; integrated_id: string }>();
    const ids = new Set([id]);
    for (const r of rows) for (const n of [r.resident_id, r.integrated_id]) if (n) ids.add(n);
    return [...ids].sort();
  }

  /** Accesses matching the filter, oldest first, at most `limit`, and how many there are in all. */
  async accesses(filter: AccessFilter): Promise<{ total: number; events: AccessEvent[] }> {
    const q = new SqlConditions({ limit: filter.limit })
      .when(filter.subjectIds, 'subject_id IN {ids:Array(String)}', 'ids')
      .when(filter.userId, 'user_id = {user:String}', 'user')
      .when(filter.fromDay || undefined, 'day >= {fromDay:Date}', 'fromDay')
      .when(filter.toDay || undefined, 'day <= {toDay:Date}', 'toDay');
    const rows = await (
      await this.client.query({
        query: `SELECT ${COLUMNS}, count() OVER () AS total FROM ${TABLES.events}
                ${q.where} ORDER BY ts, event_id LIMIT {limit:UInt32}`,
        query_params: q.params,
        format: 'JSONEachRow',
      })
    ).json<AccessEvent & { total: string }>();
    return {
      total: rows.length ? Number(rows[0].total) : 0,
      events: rows.map(({ total: _t, ...e }) => ({ ...e, recordCount: Number(e.recordCount), myNumberShown: Boolean(e.myNumberShown) })),
    };
  }
}
