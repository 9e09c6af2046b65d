import { z } from 'zod';
import { issueText, japaneseIssues } from '@kansa/domain';
import type { RuleDefinition, SiteRuleSettings } from './define-rule';

/** Rule settings of the configuration (libs/config rules section). */
export interface RuleSettings extends SiteRuleSettings {
  /** Per-rule parameter overrides, keyed by rule ID. */
  params: Record<string, Record<string, unknown>>;
}

export class RuleParamsError extends Error {}

/**
 * The parameters a rule runs with: its defaults, what it takes from the
 * site-wide settings (its fromSettings hook), and the configuration's
 * overrides for it (rules.params.<id>), which win. A wrong value names the key, in Japanese (japaneseIssues).
 */
export function resolveRuleParams<P>(rule: RuleDefinition<P, unknown>, settings?: Partial<RuleSettings>): P {
  const site = rule.fromSettings?.({ approvedDevices: settings?.approvedDevices ?? [] }) ?? {};
  const input: Record<string, unknown> = { ...site, ...(settings?.params?.[rule.id] ?? {}) };
  const result = rule.params.safeParse(input, { error: japaneseIssues });
  if (!result.success) {
    const issues = (result.error as z.ZodError).issues.map((i) => `rules.params.${rule.id}.${issueText(i, '(root)')}`);
    throw new RuleParamsError(issues.join('; '));
  }
  return result.data;
}
