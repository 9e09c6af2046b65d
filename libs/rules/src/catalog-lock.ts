import { createHash } from 'node:crypto';
import { calendarSection } from '@kansa/config/sections/calendar.section';
import type { RuleContext } from './core/define-rule';
import type { AnyRuleDefinition } from './catalog';

/** The context the lock hashes each rule's query for (fixed, so the hash changes only with the query). */
export function lockContext(rule: AnyRuleDefinition): RuleContext<unknown> {
  return {
    fromDay: '2025-04-01',
    toDay: '2025-04-30',
    from: '2025-04-01 00:00:00.000',
    to: '2025-05-01 00:00:00.000',
    params: rule.params.parse({}),
    masters: { staff: 1, leaves: 1, accounts: 1, overtime: 1, watchlist: 1, permissions: 1, residents: 1, calendar: 1 },
    calendarVersion: 1,
    hours: calendarSection.parse({}).businessHours,
  };
}

/** SHA-256 of the query text (whitespace runs folded) for the lock context. */
export function queryHash(rule: AnyRuleDefinition): string {
  const text = rule.query(lockContext(rule)).query.replace(/\s+/g, ' ').trim();
  return createHash('sha256').update(text).digest('hex');
}

export type CatalogLock = Record<string, { version: number; queryHash: string }>;
