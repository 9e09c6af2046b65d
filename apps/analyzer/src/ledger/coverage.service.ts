import { Inject, Injectable } from '@nestjs/common';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { eachDay } from '@kansa/calendar';
import { MasterTimeline, MastersRepository } from '@kansa/masters';
import { MASTER_NAMES, MasterVersions, resolveRuleParams } from '@kansa/rules';
import { AnyRule, RULE_CATALOG, RuleCatalog } from '../detection/rule-catalog';
import { AnalysisLedgerRepository, LedgerEntry } from './analysis-ledger.repository';
import { DataSnapshot } from './data-snapshot';
import { dayInputs, DayInputs, DayReach, dayReach, readSpan } from './rule-inputs';

/**
 * Why a (rule, day) is or is not up to date, most pressing first:
 * - `never`: not analysed yet;
 * - `rule-changed`: analysed by another version of the rule;
 * - `data-changed`: events of the day arrived (late files) after it was analysed;
 * - `lookback-changed`: events arrived for a day of the rule's look-back
 *   (mass-output's 90-day baseline) or look-ahead (a business record of the
 *   next day) after it was analysed;
 * - `masters-changed`: a master the rule reads is, for that day, no longer
 *   the content it was analysed against (a back-dated load with other rows);
 * - `analysed`: none of these.
 */
export const COVERAGE_STATES = ['never', 'rule-changed', 'data-changed', 'lookback-changed', 'masters-changed', 'analysed'] as const;
export type CoverageState = (typeof COVERAGE_STATES)[number];

export interface CoverageCell {
  rule: string;
  day: string;
  state: CoverageState;
  analyzedAt: string | null;
  /** Events of the rule's sources on the day: when analysed, and now. */
  eventsSeen: number;
  eventsNow: number;
}

/** Compares the ledger with the data and masters as they are now: what is analysed, what is due. */
@Injectable()
export class CoverageService {
  constructor(
    private readonly ledger: AnalysisLedgerRepository,
    private readonly masters: MastersRepository,
    @Inject(RULE_CATALOG) private readonly catalog: RuleCatalog,
    @Inject(KANSA_CONFIG) private readonly config: KansaConfig,
  ) {}

  async assess(fromDay: string, toDay: string, rules: RuleCatalog = this.catalog): Promise<CoverageCell[]> {
    const reaches = new Map(rules.map((r) => [r, dayReach(r, resolveRuleParams(r, this.config.rules))]));
    const span = readSpan(fromDay, toDay, reaches.values());
    const [data, entries, timeline] = await Promise.all([
      this.ledger.dataState(span.fromDay, span.toDay),
      this.ledger.entries(fromDay, toDay),
      this.masters.timeline(),
    ]);
    const cells: CoverageCell[] = [];
    for (const day of eachDay(fromDay, toDay)) {
      const versions = timeline.versionsAt(day);
      for (const rule of rules) cells.push(assessCell(rule, day, reaches.get(rule)!, data, entries, versions, timeline));
    }
    return cells;
  }

  /** (rule, day) pairs that need analysing, grouped by rule. */
  async due(fromDay: string, toDay: string, rules: RuleCatalog = this.catalog): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const cell of await this.assess(fromDay, toDay, rules)) {
      if (cell.state === 'analysed') continue;
      const days = out.get(cell.rule) ?? [];
      days.push(cell.day);
      out.set(cell.rule, days);
    }
    return out;
  }
}

function assessCell(
  rule: AnyRule,
  day: string,
  reach: DayReach,
  data: DataSnapshot,
  entries: Map<string, LedgerEntry>,
  versions: MasterVersions,
  timeline: MasterTimeline,
): CoverageCell {
  let state: CoverageState = 'analysed';
  let analyzedAt = null as string | null;
  let eventsSeen = 0;
  let eventsNow = 0;
  for (const input of dayInputs(rule, reach, day, data)) {
    eventsNow += input.day.events;
    const entry = entries.get(`${rule.id}|${day}|${input.source}`);
    if (entry) {
      eventsSeen += entry.eventsSeen;
      analyzedAt = analyzedAt && analyzedAt < entry.analyzedAt ? analyzedAt : entry.analyzedAt;
    }
    const reason = entry ? staleness(rule, input, entry, versions, timeline) : 'never';
    if (COVERAGE_STATES.indexOf(reason) < COVERAGE_STATES.indexOf(state)) state = reason;
  }
  return { rule: rule.id, day, state, analyzedAt: state === 'never' ? null : analyzedAt, eventsSeen, eventsNow };
}

/** Why one ledger entry no longer stands for what the rule would read now ('analysed' when it does). */
export function staleness(
  rule: AnyRule,
  now: DayInputs,
  entry: LedgerEntry,
  versions: MasterVersions,
  timeline: MasterTimeline,
): CoverageState {
  if (entry.ruleVersion !== rule.version) return 'rule-changed';
  // New arrivals move max(ingested_at) forward; merges of duplicates only lower the count.
  if (now.day.events > entry.eventsSeen || now.day.mark > entry.dataMark) return 'data-changed';
  if (now.lookback.events > entry.lookbackEvents || now.lookback.mark > entry.lookbackMark) return 'lookback-changed';
  const changed = MASTER_NAMES.filter(
    (m) => rule.reads.masters.includes(m) && (entry.masters[m] === undefined || !timeline.sameContent(m, entry.masters[m], versions[m])),
  );
  return changed.length ? 'masters-changed' : 'analysed';
}
