import { Inject, Injectable } from '@nestjs/common';
import { eachDay } from '@kansa/calendar';
import { AnyRule, RULE_CATALOG, RuleCatalog } from '../detection/rule-catalog';
import { AnalysisLedgerRepository, DataState, LedgerEntry } from './analysis-ledger.repository';

/**
 * Why a (rule, day) is or is not up to date:
 * - `analysed`: analysed with the current rule version and the data as it is now;
 * - `never`: not analysed yet;
 * - `rule-changed`: analysed by an older version of the rule;
 * - `data-changed`: events arrived for the day (late files) after it was analysed.
 */
export type CoverageState = 'analysed' | 'never' | 'rule-changed' | 'data-changed';

export interface CoverageCell {
  rule: string;
  day: string;
  state: CoverageState;
  analyzedAt: string | null;
  /** Events of the rule's sources on the day: when analysed, and now. */
  eventsSeen: number;
  eventsNow: number;
}

/** The ledger key of a rule without event sources (master-only rules). */
export const NO_SOURCE = '';

export function ruleSources(rule: AnyRule): readonly string[] {
  return rule.sources.length ? rule.sources : [NO_SOURCE];
}

/** Compares the ledger with the data as it is now: what is analysed, what is due. */
@Injectable()
export class CoverageService {
  constructor(
    private readonly ledger: AnalysisLedgerRepository,
    @Inject(RULE_CATALOG) private readonly catalog: RuleCatalog,
  ) {}

  async assess(fromDay: string, toDay: string, rules: RuleCatalog = this.catalog): Promise<CoverageCell[]> {
    const [data, entries] = await Promise.all([this.ledger.dataState(fromDay, toDay), this.ledger.entries(fromDay, toDay)]);
    const cells: CoverageCell[] = [];
    for (const day of eachDay(fromDay, toDay)) {
      for (const rule of rules) cells.push(assessCell(rule, day, data, entries));
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

function assessCell(rule: AnyRule, day: string, data: Map<string, DataState>, entries: Map<string, LedgerEntry>): CoverageCell {
  let state: CoverageState = 'analysed';
  let analyzedAt = null as string | null;
  let eventsSeen = 0;
  let eventsNow = 0;
  for (const source of ruleSources(rule)) {
    const now = source === NO_SOURCE ? { events: 0, mark: '' } : (data.get(`${source}|${day}`) ?? { events: 0, mark: '' });
    eventsNow += now.events;
    const entry = entries.get(`${rule.id}|${day}|${source}`);
    if (!entry) {
      state = 'never';
      continue;
    }
    eventsSeen += entry.eventsSeen;
    analyzedAt = analyzedAt && analyzedAt < entry.analyzedAt ? analyzedAt : entry.analyzedAt;
    if (state === 'never') continue;
    if (entry.ruleVersion !== rule.version) state = 'rule-changed';
    // New arrivals move max(ingested_at) forward; merges of duplicates only lower the count.
    else if (state === 'analysed' && (now.events > entry.eventsSeen || (now.mark !== '' && now.mark > entry.dataMark))) state = 'data-changed';
  }
  return { rule: rule.id, day, state, analyzedAt: state === 'never' ? null : analyzedAt, eventsSeen, eventsNow };
}
