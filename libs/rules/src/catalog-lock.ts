import { createHash } from 'node:crypto';
import type { RuleContext } from './core/define-rule';
import { sampleContext } from './core/sample-context';
import type { AnyRuleDefinition } from './catalog';

/** The context the lock hashes each rule's query for (fixed, so the hash changes only with the query). */
export function lockContext(rule: AnyRuleDefinition): RuleContext<unknown> {
  return sampleContext(rule, { fromDay: '2025-04-01', toDay: '2025-04-30' });
}

/** SHA-256 of the query text (whitespace runs folded) for the lock context. */
export function queryHash(rule: AnyRuleDefinition): string {
  const text = rule.query(lockContext(rule)).query.replace(/\s+/g, ' ').trim();
  return createHash('sha256').update(text).digest('hex');
}

export type CatalogLock = Record<string, { version: number; queryHash: string }>;
