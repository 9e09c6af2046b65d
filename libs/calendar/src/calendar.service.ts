import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { MastersRepository } from '@kansa/masters/masters.repository';
import { CLICKHOUSE, TABLES } from '@kansa/storage';
import { buildCalendarDays, CalendarDay, eachDay } from './business-calendar';

/** Writes the business calendar (calendar_days) the rules join against. */
@Injectable()
export class CalendarService {
  constructor(
    @Inject(CLICKHOUSE) private readonly client: ClickHouseClient,
    private readonly masters: MastersRepository,
  ) {}

  /**
   * Makes sure calendar_days holds every day of [fromDay, toDay] (inclusive)
   * for the calendar.csv version in effect at the end of the window, and
   * returns that version (0 when no calendar.csv was ever loaded: national
   * holidays and 年末年始 only). Days already written for that version are
   * not written again, so rules never see a day twice.
   */
  async prepare(fromDay: string, toDay: string): Promise<number> {
    if (fromDay > toDay) throw new Error(`calendar window ends before it starts: ${fromDay} > ${toDay}`);
    const version = (await this.masters.versionsAt(toDay)).calendar;
    const overrides = version > 0 ? await this.masters.calendarOverrides(version) : [];
    const rs = await this.client.query({
      query: `SELECT DISTINCT toString(date) AS day FROM ${TABLES.calendarDays}
              WHERE calendar_version = {version:UInt32} AND date BETWEEN {from:Date} AND {to:Date}`,
      query_params: { version, from: fromDay, to: toDay },
      format: 'JSONEachRow',
    });
    const present = new Set((await rs.json<{ day: string }>()).map((r) => r.day));
    if (present.size === eachDay(fromDay, toDay).length) return version;
    const missing = buildCalendarDays(fromDay, toDay, overrides).filter((d) => !present.has(d.date));
    await this.client.insert({
      table: TABLES.calendarDays,
      values: missing.map((d) => ({ calendar_version: version, date: d.date, business_day: d.businessDay, label: d.label })),
      format: 'JSONEachRow',
    });
    return version;
  }

  /** The prepared calendar for a window (for reports and the console). */
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
