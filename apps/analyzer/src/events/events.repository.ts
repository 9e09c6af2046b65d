import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { NormalizedEvent } from '@kansa/domain';
import { CLICKHOUSE, eventDays, eventDaysFrom, eventDaysTo, SqlConditions, TABLES } from '@kansa/storage';

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

/**
 * The (source, day, user) keys under which resident numbers occur (`where` on subject_id, user_id and day): the
 * shape the events' subject_day projection (migration 190) answers — one granule of it per part, sorted by the number.
 */
export function subjectKeysQuery(where: string): string {
  return `SELECT source, day, user_id FROM ${TABLES.events} ${where} GROUP BY source, day, user_id`;
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

  /** The events of these IDs (a finding's evidence), oldest first; the days narrow the search to their partitions. */
  async byIds(ids: readonly string[], fromDay: string, toDay: string): Promise<AccessEvent[]> {
    if (ids.length === 0) return [];
    const rows = await (
      await this.client.query({
        query: `SELECT ${COLUMNS} FROM ${TABLES.events}
                WHERE event_id IN {ids:Array(String)} AND ${eventDays('{fromDay:Date}', '{toDay:Date}')}
                ORDER BY ts, event_id LIMIT 1 BY event_id`,
        query_params: { ids, fromDay, toDay },
        format: 'JSONEachRow',
      })
    ).json<AccessEvent>();
    return rows.map((e) => ({ ...e, recordCount: Number(e.recordCount), myNumberShown: Boolean(e.myNumberShown) }));
  }

  /** The line as it was received (個人番号 masked) of one event, or null; the days narrow the search to their partitions. */
  async raw(
    eventId: string,
    fromDay: string,
    toDay: string,
  ): Promise<{ raw: string; source: string; batchId: string; lineNo: number } | null> {
    const [row] = await (
      await this.client.query({
        query: `SELECT raw, source, batch_id, line_no FROM ${TABLES.events}
                WHERE event_id = {id:String} AND ${eventDays('{fromDay:Date}', '{toDay:Date}')} LIMIT 1`,
        query_params: { id: eventId, fromDay, toDay },
        format: 'JSONEachRow',
      })
    ).json<{ raw: string; source: string; batch_id: string; line_no: string }>();
    return row ? { raw: row.raw, source: row.source, batchId: row.batch_id, lineNo: Number(row.line_no) } : null;
  }

  /**
   * Accesses matching the filter, oldest first, at most `limit`, and how many there are in all. A resident's
   * accesses are found through the events' subject_day projection (migration 190): the (source, day, user) keys
   * under which the numbers occur, read from one granule of it per part, then only the rows of those keys, which
   * the table's own order finds — not the bloom filter of every month kept. Days given also name the months'
   * partitions, so the other months' parts are not opened.
   */
  async accesses(filter: AccessFilter): Promise<{ total: number; events: AccessEvent[] }> {
    const q = new SqlConditions({ limit: filter.limit })
      .when(filter.subjectIds, 'subject_id IN {ids:Array(String)}', 'ids')
      .when(filter.userId, 'user_id = {user:String}', 'user')
      .when(filter.fromDay || undefined, eventDaysFrom('{fromDay:Date}'), 'fromDay')
      .when(filter.toDay || undefined, eventDaysTo('{toDay:Date}'), 'toDay');
    // the keys of the same filter (its columns are the projection's keys), then the rows under them
    const where = filter.subjectIds ? `${q.where} AND (source, day, user_id) IN (${subjectKeysQuery(q.where)})` : q.where;
    const rows = await (
      await this.client.query({
        query: `SELECT ${COLUMNS}, count() OVER () AS total FROM ${TABLES.events}
                ${where} ORDER BY ts, event_id LIMIT {limit:UInt32}`,
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
