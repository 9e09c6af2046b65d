import { addDays, eachDay } from '@kansa/calendar';
import { ALL_EVENTS, lookaheadDaysOf, lookbackDaysOf, MasterVersions } from '@kansa/rules';
import type { AnyRule } from '../detection/rule-catalog';
import type { LedgerEntry } from './analysis-ledger.repository';
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
  /** Events of the `lookbackDays` days before it, and of the `lookaheadDays` after it (the ledger's look-back columns hold both). */
  lookback: DataState;
}

/** The days around an analysed day a rule reads events of. */
export interface DayReach {
  lookbackDays: number;
  lookaheadDays: number;
}

/** The reach of a rule with its parameters. */
export function dayReach(rule: AnyRule, params: unknown): DayReach {
  return { lookbackDays: lookbackDaysOf(rule, params), lookaheadDays: lookaheadDaysOf(rule, params) };
}

/** The days whose events the analysis of [fromDay, toDay] reads, for rules of these reaches. */
export function readSpan(fromDay: string, toDay: string, reaches: Iterable<DayReach>): { fromDay: string; toDay: string } {
  let before = 0;
  let after = 0;
  for (const r of reaches) {
    before = Math.max(before, r.lookbackDays);
    after = Math.max(after, r.lookaheadDays);
  }
  return { fromDay: addDays(fromDay, -before), toDay: addDays(toDay, after) };
}

const NO_REACH: DayReach = { lookbackDays: 0, lookaheadDays: 0 };

/** The reach of a rule over one of its ledger keys: none for a source it reads on the analysed days only (`reads.dayOnly`). */
function sourceReach(rule: AnyRule, reach: DayReach, source: string): DayReach {
  return rule.reads.dayOnly?.includes(source) ? NO_REACH : reach;
}

/** What the analysis of `rule` on `day` reads, per ledger key, in `snapshot`. */
export function dayInputs(rule: AnyRule, reach: DayReach, day: string, snapshot: DataSnapshot): DayInputs[] {
  return ledgerKeys(rule).map((source) => {
    const { lookbackDays, lookaheadDays } = sourceReach(rule, reach, source);
    const before = snapshot.over(source, addDays(day, -lookbackDays), addDays(day, -1));
    const after = snapshot.over(source, addDays(day, 1), addDays(day, lookaheadDays));
    return {
      source,
      day: snapshot.at(source, day),
      lookback: { events: before.events + after.events, mark: before.mark > after.mark ? before.mark : after.mark },
    };
  });
}

/** The versions of the masters `rule` reads, out of those a day is analysed against. */
export function mastersRead(rule: AnyRule, versions: MasterVersions): Record<string, number> {
  return Object.fromEntries(rule.reads.masters.map((m) => [m, versions[m]]));
}

/** A stretch of days analysed against the same master versions. */
export interface Segment {
  fromDay: string;
  toDay: string;
  masters: MasterVersions;
}

/** The ledger rows of a rule over a segment: per day and ledger key, what the analysis read. */
export function ledgerEntries(
  rule: AnyRule,
  reach: DayReach,
  segment: Segment,
  data: DataSnapshot,
  runId: string,
  analyzedAt: string,
): LedgerEntry[] {
  const masters = mastersRead(rule, segment.masters);
  return eachDay(segment.fromDay, segment.toDay).flatMap((day) =>
    dayInputs(rule, reach, day, data).map((input) => ({
      rule: rule.id,
      day,
      source: input.source,
      ruleVersion: rule.version,
      eventsSeen: input.day.events,
      dataMark: input.day.mark,
      lookbackEvents: input.lookback.events,
      lookbackMark: input.lookback.mark,
      masters,
      analyzedAt,
      runId,
    })),
  );
}
