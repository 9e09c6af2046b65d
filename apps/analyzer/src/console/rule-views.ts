import { ALL_EVENTS, AnyRuleDefinition, lookbackDaysOf, resolveRuleParams } from '@kansa/rules';
import type { KansaConfig } from '@kansa/config';
import type { RuleView } from './console.schemas';

/** A rule as the console shows it: metadata, parameters in force, what it reads (read-only). */
export function ruleView(rule: AnyRuleDefinition, settings: KansaConfig['rules']): RuleView {
  const params = resolveRuleParams(rule, settings) as Record<string, unknown>;
  return {
    id: rule.id,
    title: rule.title,
    version: rule.version,
    severity: rule.severity,
    guideline: rule.guideline,
    description: rule.description,
    params,
    reads: {
      events: rule.reads.events === ALL_EVENTS ? ['*'] : [...rule.reads.events],
      masters: [...rule.reads.masters],
      lookbackDays: lookbackDaysOf(rule, params),
    },
  };
}
