import type { AnyRuleDefinition } from '@kansa/rules';

/** Nest injection token of the rule catalogue (RULES of @kansa/rules; tests may provide their own). */
export const RULE_CATALOG = Symbol('RULE_CATALOG');

export type AnyRule = AnyRuleDefinition;
export type RuleCatalog = readonly AnyRule[];
