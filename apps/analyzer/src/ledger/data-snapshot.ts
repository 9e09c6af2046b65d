import { daysBetween } from '@kansa/calendar';

/** The state of some events: how many, and the latest arrival. */
export interface DataState {
  events: number;
  /** max(ingested_at), or '' when there are none. */
  mark: string;
}

/** Ledger source key of a rule that reads every event source. */
export const ALL_SOURCES = '*';
/** Ledger source key of a rule that reads no events (masters only). */
export const NO_SOURCE = '';

export const NO_DATA: DataState = { events: 0, mark: '' };

export interface SourceDayState extends DataState {
  source: string;
  day: string;
}

const EPOCH_DAY = '1970-01-01';

/**
 * Events per (source, day) as they were at one moment, answering for a
 * ledger key (one source, ALL_SOURCES or NO_SOURCE) and a range of days.
 */
export class DataSnapshot {
  private readonly byDay = new Map<number, SourceDayState[]>();

  constructor(rows: readonly SourceDayState[]) {
    for (const row of rows) {
      const n = daysBetween(EPOCH_DAY, row.day);
      this.byDay.set(n, [...(this.byDay.get(n) ?? []), row]);
    }
  }

  /** The events of `key` over [fromDay, toDay] (nothing when fromDay > toDay). */
  over(key: string, fromDay: string, toDay: string): DataState {
    if (key === NO_SOURCE || fromDay > toDay) return NO_DATA;
    let events = 0;
    let mark = '';
    for (let n = daysBetween(EPOCH_DAY, fromDay), end = daysBetween(EPOCH_DAY, toDay); n <= end; n++) {
      for (const s of this.byDay.get(n) ?? []) {
        if (key !== ALL_SOURCES && s.source !== key) continue;
        events += s.events;
        if (s.mark > mark) mark = s.mark;
      }
    }
    return { events, mark };
  }

  at(key: string, day: string): DataState {
    return this.over(key, day, day);
  }
}
