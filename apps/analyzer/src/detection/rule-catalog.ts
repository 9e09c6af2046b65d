import { type AnyRuleDefinition, unknownRulesMessage } from '@kansa/rules';

/** Nest injection token of the rule catalogue (RULES of @kansa/rules; tests may provide their own). */
export const RULE_CATALOG = Symbol('RULE_CATALOG');

export type AnyRule = AnyRuleDefinition;
export type RuleCatalog = readonly AnyRule[];

/**
 * The rules this site runs: the catalogue but the rules its configuration
 * disables (rules.disabled — a change recorded and alerted by the audit
 * trail). An unknown ID there is a configuration mistake, named.
 */
export function enabledRules(all: RuleCatalog, disabled: readonly string[]): RuleCatalog {
  const unknown = disabled.filter((id) => !all.some((r) => r.id === id));
  if (unknown.length) {
    throw new Error(
      unknownRulesMessage(
        'rules.disabled',
        unknown,
        all.map((r) => r.id),
      ),
    );
  }
  return all.filter((r) => !disabled.includes(r.id));
}
