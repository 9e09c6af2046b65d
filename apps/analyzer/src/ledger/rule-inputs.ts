import { addDays } from '@kansa/calendar';
import { ALL_EVENTS, MasterVersions } from '@kansa/rules';
import type { AnyRule } from '../detection/rule-catalog';
import { ALL_SOURCES, DataSnapshot, DataState, NO_SOURCE } from './data-snapshot';

/** The ledger's source keys of a rule: its sources, ALL_SOURCES when it reads every source, NO_SOURCE when none. */
export function ledgerKeys(rule: AnyRule): readonly string[] {
  const { events } = rule.reads;
  if (events === ALL_EVENTS) return [ALL_SOURCES];
  return events.length ? events : [NO_SOURCE];
}

/** The events the analysis of one rule on one day reads, under one ledger key. */
export interface DayInputs {
  source: string;
  /** Events of the day itself. */
  day: DataState;
  /** Events of the `lookbackDays` days before it. */
  lookback: DataState;
}

/** What the analysis of `rule` on `day` reads, per ledger key, in `snapshot`. */
export function dayInputs(rule: AnyRule, lookbackDays: number, day: string, snapshot: DataSnapshot): DayInputs[] {
  return ledgerKeys(rule).map((source) => ({
    source,
    day: snapshot.at(source, day),
    lookback: snapshot.over(source, addDays(day, -lookbackDays), addDays(day, -1)),
  }));
}

/** The versions of the masters `rule` reads, out of those a day is analysed against. */
export function mastersRead(rule: AnyRule, versions: MasterVersions): Record<string, number> {
  return Object.fromEntries(rule.reads.masters.map((m) => [m, versions[m]]));
}
