import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { CLICKHOUSE, TABLES } from '@kansa/storage';
import { CalendarDay } from './business-calendar';

/** calendar_days: the business calendar the rules join against, per calendar.csv version. */
@Injectable()
export class CalendarDaysRepository {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  /** The days of [fromDay, toDay] already written for a version. */
  async written(version: number, fromDay: string, toDay: string): Promise<Set<string>> {
    const rs = await this.client.query({
      query: `SELECT DISTINCT toString(date) AS day FROM ${TABLES.calendarDays}
              WHERE calendar_version = {version:UInt32} AND date BETWEEN {from:Date} AND {to:Date}`,
      query_params: { version, from: fromDay, to: toDay },
      format: 'JSONEachRow',
    });
    return new Set((await rs.json<{ day: string }>()).map((r) => r.day));
  }

  async insert(version: number, days: readonly CalendarDay[]): Promise<void> {
    if (days.length === 0) return;
    await this.client.insert({
      table: TABLES.calendarDays,
      values: days.map((d) => ({ calendar_version: version, date: d.date, business_day: d.businessDay, label: d.label })),
      format: 'JSONEachRow',
    });
  }

  /** The written days of a window, in order. */
  async days(version: number, fromDay: string, toDay: string): Promise<CalendarDay[]> {
    const rs = await this.client.query({
      query: `SELECT toString(date) AS day, any(business_day) AS businessDay, any(label) AS label
              FROM ${TABLES.calendarDays}
              WHERE calendar_version = {version:UInt32} AND date BETWEEN {from:Date} AND {to:Date}
              GROUP BY date ORDER BY date`,
      query_params: { version, from: fromDay, to: toDay },
      format: 'JSONEachRow',
    });
    return (await rs.json<{ day: string; businessDay: boolean | number; label: string }>()).map((r) => ({
      date: r.day,
      businessDay: Boolean(r.businessDay),
      label: r.label,
    }));
  }
}
