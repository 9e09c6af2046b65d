import type { RuleDefinition } from '@kansa/rules';

/** Nest injection token of the rule catalogue (RULES of @kansa/rules; tests may provide their own). */
export const RULE_CATALOG = Symbol('RULE_CATALOG');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRule = RuleDefinition<any, any>;
export type RuleCatalog = readonly AnyRule[];
