import { Injectable } from '@nestjs/common';
import { MastersRepository } from '@kansa/masters/masters.repository';
import { buildCalendarDays, CalendarDay, eachDay } from './business-calendar';
import { CalendarDaysRepository } from './calendar-days.repository';

/** Writes the business calendar (calendar_days) the rules join against. */
@Injectable()
export class CalendarService {
  constructor(
    private readonly calendarDays: CalendarDaysRepository,
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
    const present = await this.calendarDays.written(version, fromDay, toDay);
    if (present.size === eachDay(fromDay, toDay).length) return version;
    await this.calendarDays.insert(
      version,
      buildCalendarDays(fromDay, toDay, overrides).filter((d) => !present.has(d.date)),
    );
    return version;
  }

  /** The prepared calendar for a window (for reports and the console). */
  days(version: number, fromDay: string, toDay: string): Promise<CalendarDay[]> {
    return this.calendarDays.days(version, fromDay, toDay);
  }
}
