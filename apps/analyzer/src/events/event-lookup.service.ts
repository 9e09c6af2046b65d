import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { checkDayRange } from '@kansa/calendar';
import { NormalizedEvent } from '@kansa/domain';
import { CLICKHOUSE, TABLES } from '@kansa/storage';

export class EventLookupInputError extends Error {}

export interface EventLookupQuery {
  fromDay?: string;
  toDay?: string;
  /** At most this many events, oldest first (default 100 000). */
  limit?: number;
}

/** The fields of an access as staff read it in a 開示請求 answer or an investigation (the domain's event, stored). */
const ACCESS_FIELDS = [
  'source', 'userId', 'userName', 'departmentCode', 'terminalId', 'action', 'screenId', 'businessCode', 'subjectId',
  'myNumberShown', 'recordCount', 'reason', 'outcome',
] as const satisfies ReadonlyArray<keyof NormalizedEvent>;

/** One access: its stored ID and JST time, and the event's fields. */
export type AccessEvent = { eventId: string; ts: string } & Pick<NormalizedEvent, (typeof ACCESS_FIELDS)[number]>;

export interface EventLookupResult {
  /** The numbers searched: the one given and its 宛名番号/統合宛名番号 counterparts. */
  matched: string[];
  total: number;
  events: AccessEvent[];
}

const COLUMNS = ['event_id AS eventId', 'ts', ...ACCESS_FIELDS.map((f) => `${snakeCase(f)} AS ${f}`)].join(', ');

function snakeCase(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Who touched this resident (either number), and what this user did — over the whole table. */
@Injectable()
export class EventLookupService {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  async bySubject(number: string, query: EventLookupQuery = {}): Promise<EventLookupResult> {
    const id = number.trim();
    if (!/^\d{10}$|^\d{15}$/.test(id)) {
      throw new EventLookupInputError(`--subject "${number}": expected a 宛名番号 (10 digits) or 統合宛名番号 (15 digits) (番号の形式が不正です)`);
    }
    const matched = await this.residentNumbers(id);
    return this.find('subject_id IN {ids:Array(String)}', { ids: matched }, matched, query);
  }

  async byUser(userId: string, query: EventLookupQuery = {}): Promise<EventLookupResult> {
    const id = userId.trim();
    if (!id) throw new EventLookupInputError('--user: a staff ID is required (職員IDを指定してください)');
    return this.find('user_id = {user:String}', { user: id }, [id], query);
  }

  /** The number given plus its counterparts in any version of residents.csv. */
  private async residentNumbers(id: string): Promise<string[]> {
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

  private async find(
    condition: string,
    params: Record<string, unknown>,
    matched: string[],
    query: EventLookupQuery,
  ): Promise<EventLookupResult> {
    const where = [condition];
    const query_params: Record<string, unknown> = { ...params, limit: query.limit ?? 100_000 };
    checkDayRange('--from', query.fromDay, '--to', query.toDay);
    for (const [key, op] of [['fromDay', '>='], ['toDay', '<=']] as const) {
      const day = query[key];
      if (day === undefined) continue;
      where.push(`day ${op} {${key}:Date}`);
      query_params[key] = day;
    }
    const rows = await (
      await this.client.query({
        query: `SELECT ${COLUMNS}, count() OVER () AS total FROM ${TABLES.events}
                WHERE ${where.join(' AND ')} ORDER BY ts, event_id LIMIT {limit:UInt32}`,
        query_params,
        format: 'JSONEachRow',
      })
    ).json<AccessEvent & { total: string }>();
    const total = rows.length ? Number(rows[0].total) : 0;
    return {
      matched,
      total,
      events: rows.map(({ total: _t, ...e }) => ({ ...e, recordCount: Number(e.recordCount), myNumberShown: Boolean(e.myNumberShown) })),
    };
  }
}
