import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import { addDays } from '@kansa/calendar';

export const JST = 'Asia/Tokyo';

/** Nest injection token of the clock: tests freeze it, the service uses the system's. */
export const CLOCK = Symbol('CLOCK');

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock stopped at one instant (tests of scheduled jobs). */
export function fixedClock(at: Date | string): Clock {
  const d = typeof at === 'string' ? new Date(at) : at;
  return { now: () => d };
}

/** The JST calendar day of an instant: 'YYYY-MM-DD'. */
export function jstDay(instant: Date): string {
  return format(new TZDate(instant.getTime(), JST), 'yyyy-MM-dd');
}

/** An instant as ClickHouse DateTime64(3, 'Asia/Tokyo') text: 'YYYY-MM-DD HH:MM:SS.sss'. */
export function jstTimestamp(instant: Date): string {
  return format(new TZDate(instant.getTime(), JST), 'yyyy-MM-dd HH:mm:ss.SSS');
}

/** Groups days into runs of consecutive days: [[from, to], …], sorted. */
export function consecutiveRanges(days: Iterable<string>): Array<[string, string]> {
  const sorted = [...new Set(days)].sort();
  const ranges: Array<[string, string]> = [];
  for (const d of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && addDays(last[1], 1) === d) last[1] = d;
    else ranges.push([d, d]);
  }
  return ranges;
}

/** Splits [fromDay, toDay] at month ends: long catch-ups run month by month. */
export function splitByMonth(fromDay: string, toDay: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  let start = fromDay;
  while (start <= toDay) {
    const [y, m] = start.split('-').map(Number);
    const monthEnd = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
    const end = monthEnd < toDay ? monthEnd : toDay;
    out.push([start, end]);
    start = addDays(end, 1);
  }
  return out;
}
