import { addDays, monthRange } from '@kansa/calendar';
import { jstDay, jstTimestamp, JST } from '@kansa/domain';

/** The JST helpers live in @kansa/domain (jst.ts); re-exported for the analyzer's callers of the clock. */
export { JST, jstDay, jstTimestamp };

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
    const monthEnd = monthRange(start.slice(0, 7)).to;
    const end = monthEnd < toDay ? monthEnd : toDay;
    out.push([start, end]);
    start = addDays(end, 1);
  }
  return out;
}
