import type { RuleDefinition } from './core/define-rule';
import auditLogCleared from './rules/audit-log-cleared/audit-log-cleared.rule';
import absenteeActivity from './rules/absentee-activity/absentee-activity.rule';
import concurrentSessions from './rules/concurrent-sessions/concurrent-sessions.rule';
import dormantAccount from './rules/dormant-account/dormant-account.rule';
import externalMedia from './rules/external-media/external-media.rule';
import logGap from './rules/log-gap/log-gap.rule';
import loginFailures from './rules/login-failures/login-failures.rule';
import massLookup from './rules/mass-lookup/mass-lookup.rule';
import massOutput from './rules/mass-output/mass-output.rule';
import missingReason from './rules/missing-reason/missing-reason.rule';
import offHours from './rules/off-hours/off-hours.rule';
import selfLookup from './rules/self-lookup/self-lookup.rule';
import unauthorizedUse from './rules/unauthorized-use/unauthorized-use.rule';
import unexplainedAccess from './rules/unexplained-access/unexplained-access.rule';
import unusedAccount from './rules/unused-account/unused-account.rule';
import watchlistAccess from './rules/watchlist-access/watchlist-access.rule';

/**
 * A rule of any parameter and row type: the catalogue holds rules of
 * different types in one list; each rule's own types are checked where it is
 * defined (defineRule).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above: the list's element type, not a value's
export type AnyRuleDefinition = RuleDefinition<any, any>;

/** Every detection rule of spec/rules.md, in the spec's order. */
export const RULES: readonly AnyRuleDefinition[] = [
  offHours,
  massOutput,
  massLookup,
  dormantAccount,
  absenteeActivity,
  loginFailures,
  watchlistAccess,
  selfLookup,
  concurrentSessions,
  externalMedia,
  unauthorizedUse,
  missingReason,
  logGap,
  unusedAccount,
  auditLogCleared,
  unexplainedAccess,
];

export function getRule(id: string): AnyRuleDefinition | undefined {
  return RULES.find((r) => r.id === id);
}

/** A list of rule IDs that names rules not among `known`: the message naming both (`field: unknown rule …`). */
export function unknownRulesMessage(field: string, unknown: readonly string[], known: readonly string[]): string {
  return `${field}: ${unknownRulesText(unknown, known)}`;
}

/** `unknown rule …; known rules: … (ルールIDが不正です)`, for a message that names its field itself. */
export function unknownRulesText(unknown: readonly unknown[], known: readonly string[]): string {
  return `unknown rule ${unknown.join(', ')}; known rules: ${known.join(', ')} (ルールIDが不正です)`;
}
