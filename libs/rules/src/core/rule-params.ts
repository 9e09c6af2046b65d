import { z } from 'zod';
import type { RuleDefinition } from './define-rule';

/** Rule settings of the configuration (libs/config rules section). */
export interface RuleSettings {
  /** Per-rule parameter overrides, keyed by rule ID. */
  params: Record<string, Record<string, unknown>>;
  /** Approved external devices (external-media). */
  approvedDevices: string[];
}

export class RuleParamsError extends Error {}

/**
 * The parameters a rule runs with: its defaults, the configuration's
 * overrides for it (rules.params.<id>), and for external-media the approved
 * device list (rules.approvedDevices). A wrong value names the key.
 */
export function resolveRuleParams<P>(rule: RuleDefinition<P, unknown>, settings?: Partial<RuleSettings>): P {
  const input: Record<string, unknown> = { ...(settings?.params?.[rule.id] ?? {}) };
  if (rule.id === 'external-media' && settings?.approvedDevices?.length && input.approvedDevices === undefined) {
    input.approvedDevices = settings.approvedDevices;
  }
  const result = rule.params.safeParse(input);
  if (!result.success) {
    const issues = (result.error as z.ZodError).issues.map((i) => `rules.params.${rule.id}.${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new RuleParamsError(issues.join('; '));
  }
  return result.data;
}
