import holidayJp from '@holiday-jp/holiday_jp';

/** A calendar.csv override (spec/sources.md): an extra open day or an extra closed day. */
export interface CalendarOverride {
  date: string;
  kind: '開庁' | '閉庁';
  note?: string;
}

/** One JST day of the business calendar (table calendar_days). */
export interface CalendarDay {
  date: string;
  businessDay: boolean;
  label: string;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Calendar-date arithmetic on 'YYYY-MM-DD'. A date here is a civil date, not
 * an instant, so UTC arithmetic is exact (no zone, no DST is involved).
 */
function toUtc(day: string): Date {
  const m = DAY.exec(day);
  if (!m) throw new Error(`not a date (YYYY-MM-DD): "${day}"`);
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (d.toISOString().slice(0, 10) !== day) throw new Error(`not a date (YYYY-MM-DD): "${day}"`);
  return d;
}

/** True when `day` is a real calendar date written as YYYY-MM-DD. */
export function isValidDay(day: string): boolean {
  try {
    toUtc(day);
    return true;
  } catch {
    return false;
  }
}

/** `day` plus `n` days (n may be negative). */
export function addDays(day: string, n: number): string {
  const d = toUtc(day);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Whole days from `fromDay` to `toDay` (negative when `toDay` is earlier). */
export function daysBetween(fromDay: string, toDay: string): number {
  return Math.round((toUtc(toDay).getTime() - toUtc(fromDay).getTime()) / 86_400_000);
}

/** Day of the week, 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(day: string): number {
  return toUtc(day).getUTCDay();
}

/** Every day from `fromDay` to `toDay`, inclusive. */
export function eachDay(fromDay: string, toDay: string): string[] {
  const days: string[] = [];
  for (let d = fromDay; d <= toDay; d = addDays(d, 1)) days.push(d);
  return days;
}

/**
 * National holiday name on `day` (国民の祝日, 振替休日, 国民の休日) from
 * @holiday-jp/holiday_jp, as users read it; undefined on other days.
 */
export function holidayLabel(day: string): string | undefined {
  const h = (holidayJp.holidays as Record<string, { name: string }>)[day];
  if (!h) return undefined;
  if (h.name.includes('振替休日')) return '振替休日';
  // The package names a 国民の休日 (a day between two holidays) just "休日".
  if (h.name === '休日' || h.name === '国民の休日') return '国民の休日';
  return `祝日: ${h.name}`;
}

/** 年末年始: 12/29–1/3 (閉庁 under the local autonomy law's 休日条例). */
export function isYearEndHoliday(day: string): boolean {
  const md = day.slice(5);
  return md >= '12-29' || md <= '01-03';
}

/** The calendar day without overrides: national holidays, 年末年始, weekends. */
function nationalDay(day: string): CalendarDay {
  if (isYearEndHoliday(day)) return { date: day, businessDay: false, label: '年末年始' };
  const holiday = holidayLabel(day);
  if (holiday) return { date: day, businessDay: false, label: holiday };
  const dow = dayOfWeek(day);
  if (dow === 0) return { date: day, businessDay: false, label: '日曜' };
  if (dow === 6) return { date: day, businessDay: false, label: '土曜' };
  return { date: day, businessDay: true, label: '平日' };
}

/**
 * The business calendar for [fromDay, toDay] (inclusive). A calendar.csv
 * override wins over everything (開庁 opens even a holiday, 閉庁 closes even a
 * weekday); otherwise 年末年始, national holidays and weekends are closed.
 * When one date has several overrides, the last one in the list wins.
 */
export function buildCalendarDays(fromDay: string, toDay: string, overrides: readonly CalendarOverride[]): CalendarDay[] {
  toUtc(fromDay);
  toUtc(toDay);
  const byDate = new Map<string, CalendarOverride>();
  for (const o of overrides) byDate.set(o.date, o);
  return eachDay(fromDay, toDay).map((day) => {
    const o = byDate.get(day);
    if (!o) return nationalDay(day);
    const note = o.note?.trim();
    if (o.kind === '開庁') return { date: day, businessDay: true, label: note ? `開庁日（休日開庁）: ${note}` : '開庁日（休日開庁）' };
    return { date: day, businessDay: false, label: note ? `閉庁日: ${note}` : '閉庁日' };
  });
}

/** Whether `day` is a business day, given the calendar.csv overrides. */
export function isBusinessDay(day: string, overrides: readonly CalendarOverride[] = []): boolean {
  return buildCalendarDays(
    day,
    day,
    overrides.filter((o) => o.date === day),
  )[0].businessDay;
}
