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

/**
 * Timestamps from a clock, each strictly later than the one before, for
 * ledger rows: of two writes of the same day the later is always the one
 * argMax keeps (it would pick either on a tie: two writes in one millisecond,
 * a clock stepped back, a stopped clock in tests).
 */
export class LaterStamps {
  private last = 0;

  constructor(private readonly clock: Clock) {}

  next(): string {
    this.last = Math.max(this.clock.now().getTime(), this.last + 1);
    return jstTimestamp(new Date(this.last));
  }
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
