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

/** A rule's entry: its version, its revision (absent: 0) and the hash of its query. */
export interface LockEntry {
  version: number;
  revision?: number;
  queryHash: string;
}

export type CatalogLock = Record<string, LockEntry>;

/** The catalogue's entries as the rules are now. */
export function currentLock(rules: readonly AnyRuleDefinition[]): CatalogLock {
  return Object.fromEntries(
    rules.map((r) => [r.id, { version: r.version, ...(r.revision ? { revision: r.revision } : {}), queryHash: queryHash(r) }]),
  );
}

/**
 * What the lock says of the rules now: a query changed under the same
 * version and revision (one of them must be bumped: the version when the
 * findings may differ, the revision when the query is only written
 * differently), or a lock not brought up to date.
 */
export function lockProblems(lock: CatalogLock, current: CatalogLock): string[] {
  const release = (a: LockEntry) => `${a.version}.${a.revision ?? 0}`;
  const problems: string[] = [];
  for (const [id, now] of Object.entries(current)) {
    const was = lock[id];
    if (!was) problems.push(`${id}: not in catalog.lock.json`);
    else if (was.queryHash !== now.queryHash && release(was) === release(now))
      problems.push(
        `${id}: query changed but version is still ${now.version} (revision ${now.revision ?? 0}) — bump the rule's version ` +
          `(its findings may differ: analysed days become due again) or, for the same results written differently, its revision`,
      );
    else if (was.queryHash !== now.queryHash || release(was) !== release(now)) problems.push(`${id}: catalog.lock.json is out of date`);
  }
  return problems;
}
