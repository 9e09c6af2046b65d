import type { KansaConfig } from '@kansa/config';
import { resolveRuleParams } from '@kansa/rules';
import type { RuleCatalog } from '../detection/rule-catalog';
import { DayReach, dayReach, readSpan } from '../ledger/rule-inputs';

/** What of a finding says where its evidence lies (a FindingView is one). */
export interface EvidenceSpan {
  rule: string;
  /** The parameters it was found with. */
  params: unknown;
  /** Its window (timestamps or days, JST). */
  window: { from: string; to: string };
}

/**
 * The days a finding's evidence lies in: its window, widened by its rule's
 * look-back and look-ahead with the parameters it was found with or those in
 * force now, whichever reach further. A rule's query reads no event outside
 * them (libs/rules declared-reads), so neither is its evidence.
 *
 * Events looked up by ID are searched in these days (`eventDays`, which
 * names their months' partitions): by ID alone the engine reads the
 * `event_id` bloom filter of every month kept (docs/analyzer.md "Events by
 * ID over years kept").
 */
export function evidenceDays(rules: RuleCatalog, settings: KansaConfig['rules'], found: EvidenceSpan): { fromDay: string; toDay: string } {
  const rule = rules.find((r) => r.id === found.rule);
  const reaches: DayReach[] = [];
  if (rule) {
    for (const params of [found.params, resolveRuleParams(rule, settings)]) {
      const reach = reachOf(() => dayReach(rule, params));
      if (reach) reaches.push(reach);
    }
  }
  return readSpan(found.window.from.slice(0, 10), found.window.to.slice(0, 10), reaches);
}

/** A reach computed from stored parameters, or null when they no longer fit the rule (a rule's parameters changed since). */
function reachOf(compute: () => DayReach): DayReach | null {
  try {
    const reach = compute();
    return Number.isFinite(reach.lookbackDays) && Number.isFinite(reach.lookaheadDays) ? reach : null;
  } catch {
    return null;
  }
}

/** The days of several findings' evidence (of one rule or many): from the earliest to the latest. */
export function evidenceDaysOfAll(
  rules: RuleCatalog,
  settings: KansaConfig['rules'],
  found: readonly EvidenceSpan[],
): { fromDay: string; toDay: string } | null {
  if (found.length === 0) return null;
  const spans = found.map((f) => evidenceDays(rules, settings, f));
  return {
    fromDay: spans.reduce((a, s) => (s.fromDay < a ? s.fromDay : a), spans[0].fromDay),
    toDay: spans.reduce((a, s) => (s.toDay > a ? s.toDay : a), spans[0].toDay),
  };
}
