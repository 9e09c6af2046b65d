import type { BusinessHours } from '@kansa/config';
import { addDays } from './business-calendar';

/**
 * JST wall-clock instant 'YYYY-MM-DD HH:MM:SS.sss' — the form ClickHouse
 * DateTime64(3, 'Asia/Tokyo') parameters take. JST has no DST, so wall-clock
 * minutes map one-to-one to instants and plain minute arithmetic is exact.
 */
export type JstInstant = string;

/** A business-hours window of one day, in JST. */
export interface BusinessWindow {
  day: string;
  /** The department's (or the default) opening and closing time, HH:MM. */
  start: string;
  end: string;
  /** The window with grace: [from, to) counts as business hours. */
  from: JstInstant;
  to: JstInstant;
}

function minutesOf(hhmm: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) throw new Error(`not a time (HH:MM): "${hhmm}"`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** The JST instant `minutes` after midnight starting `day` (may run into later or earlier days). */
export function jstInstant(day: string, minutes: number): JstInstant {
  const dayShift = Math.floor(minutes / 1440);
  const rest = minutes - dayShift * 1440;
  const d = dayShift === 0 ? day : addDays(day, dayShift);
  const hh = String(Math.floor(rest / 60)).padStart(2, '0');
  const mm = String(rest % 60).padStart(2, '0');
  return `${d} ${hh}:${mm}:00.000`;
}

/** Opening hours that apply to a department (per-department hours where configured). */
export function hoursFor(hours: BusinessHours, departmentCode?: string): { start: string; end: string } {
  const dept = departmentCode ? hours.departments[departmentCode] : undefined;
  return dept ?? { start: hours.start, end: hours.end };
}

/**
 * Business hours of `day` for a department, widened by the grace before the
 * start and after the end. Only meaningful on a business day: the caller
 * decides that with the calendar.
 */
export function businessWindow(hours: BusinessHours, day: string, departmentCode?: string): BusinessWindow {
  const { start, end } = hoursFor(hours, departmentCode);
  return {
    day,
    start,
    end,
    from: jstInstant(day, minutesOf(start) - hours.graceBeforeMinutes),
    to: jstInstant(day, minutesOf(end) + hours.graceAfterMinutes),
  };
}

/**
 * Approved overtime (overtime.csv) of `day` as JST instants [startAt, endAt).
 * An end at or before the start means the overtime runs past midnight.
 */
export function overtimeWindow(day: string, start: string, end: string): { startAt: JstInstant; endAt: JstInstant } {
  const s = minutesOf(start);
  let e = minutesOf(end);
  if (e <= s) e += 1440;
  return { startAt: jstInstant(day, s), endAt: jstInstant(day, e) };
}

/** The overtime window widened by the same grace as business hours (spec/rules.md off-hours). */
export function overtimeWindowWithGrace(
  hours: BusinessHours,
  day: string,
  start: string,
  end: string,
): { from: JstInstant; to: JstInstant } {
  const s = minutesOf(start);
  let e = minutesOf(end);
  if (e <= s) e += 1440;
  return { from: jstInstant(day, s - hours.graceBeforeMinutes), to: jstInstant(day, e + hours.graceAfterMinutes) };
}

/**
 * Whether a JST instant ('YYYY-MM-DD HH:MM:SS[.sss]') falls inside business
 * hours (grace included) for a department, given whether its day is a business day.
 */
export function isWithinBusinessHours(hours: BusinessHours, at: JstInstant, businessDay: boolean, departmentCode?: string): boolean {
  if (!businessDay) return false;
  const w = businessWindow(hours, at.slice(0, 10), departmentCode);
  const t = normalise(at);
  return t >= w.from && t < w.to;
}

function normalise(at: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d{1,3})?$/.exec(at);
  if (!m) throw new Error(`not a JST instant (YYYY-MM-DD HH:MM:SS): "${at}"`);
  return `${m[1]} ${m[2]}${(m[3] ?? '.').padEnd(4, '0')}`;
}
