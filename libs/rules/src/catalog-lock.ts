import { createHash } from 'node:crypto';
import type { RuleContext } from './core/define-rule';
import { sampleContext } from './core/sample-context';
import type { AnyRuleDefinition } from './catalog';

/** The context the lock hashes each rule's query for (fixed, so the hash changes only with the query). */
export function lockContext(rule: AnyRuleDefinition): RuleContext<unknown> {
  return sampleContext(rule, { fromDay: '2025-04-01', toDay: '2025-04-30' });
}

/**
 * SHA-256 of what decides a rule's findings: the query text (after its
 * prepare statements, if any) for the lock context and the source of its
 * finding mapping (toFinding), whitespace runs folded. A change to either must bump the rule's version.
 */
export function queryHash(rule: AnyRuleDefinition): string {
  const fold = (text: string) => text.replace(/\s+/g, ' ').trim();
  const ctx = lockContext(rule);
  // A rule's prepare statements decide its findings too (they write what its query reads).
  const prepared = (rule.prepare?.(ctx) ?? []).map((q) => `${fold(q.query)}\n`).join('');
  const text = `${prepared}${fold(rule.query(ctx).query)}\n${fold(rule.toFinding.toString())}`;
  return createHash('sha256').update(text).digest('hex');
}

export type CatalogLock = Record<string, { version: number; queryHash: string }>;
