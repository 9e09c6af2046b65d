import type { KansaConfig } from '@kansa/config';
import { formatIssues } from '@kansa/config';
import { AnyRule } from './rule-catalog';

export class RuleParamsError extends Error {}

/**
 * A rule's parameters: its defaults, overridden by the configuration
 * (`rules.<rule-id>` in kansa.yaml). The parsed values are what the query
 * uses and what each finding records.
 */
export function resolveRuleParams(rule: AnyRule, config: KansaConfig): Record<string, unknown> {
  const section = (config as { rules?: Record<string, unknown> }).rules ?? {};
  const overrides = (section[rule.id] as Record<string, unknown> | undefined) ?? {};
  const parsed = rule.params.safeParse(overrides);
  if (!parsed.success) throw new RuleParamsError(`configuration rules.${rule.id}: ${formatIssues(parsed.error)}`);
  return parsed.data as Record<string, unknown>;
}
