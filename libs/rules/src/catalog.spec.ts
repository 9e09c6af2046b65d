import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SEVERITIES } from '@kansa/domain';
import { AnyRuleDefinition, RULES, getRule } from './catalog';
import { CatalogLock, currentLock, lockProblems } from './catalog-lock';
import { undeclaredReads } from './core/declared-reads';
import { ALL_EVENTS, COUNT_UNITS } from './core/define-rule';
import { sampleContext } from './core/sample-context';
import { resolveRuleParams, RuleParamsError } from './core/rule-params';
import type { RuleFixture } from './testing/fixture.types';

const LOCK_FILE = join(__dirname, 'catalog.lock.json');
const SPEC_IDS = [
  'off-hours',
  'mass-output',
  'mass-lookup',
  'dormant-account',
  'absentee-activity',
  'login-failures',
  'watchlist-access',
  'self-lookup',
  'concurrent-sessions',
  'external-media',
  'unauthorized-use',
  'missing-reason',
  'log-gap',
  'unused-account',
  'audit-log-cleared',
  'unexplained-access',
];

/**
 * Windows the declaration check builds each query for: a whole month, and a
 * month's 31st day alone (rules that look back from the first of the month
 * reach furthest from it).
 */
const READ_CHECK_WINDOWS = [
  { fromDay: '2025-04-01', toDay: '2025-04-30' },
  { fromDay: '2025-05-31', toDay: '2025-05-31' },
];

function undeclared(rule: AnyRuleDefinition): string[] {
  return undeclaredReads(
    rule,
    READ_CHECK_WINDOWS.map((w) => sampleContext(rule, w)),
  );
}

/** A valid value of a parameter other than its default (the sentence must change with it). */
function otherValue(key: string, value: unknown): unknown {
  if (typeof value === 'number') return value + 3;
  if (key === 'actions') return ['view'];
  if (key === 'sources') return ['jumin'];
  if (Array.isArray(value)) return [...value, 'USB\\VID_0001&PID_0002\\X'];
  throw new Error(`no other value for parameter ${key}`);
}

function fixturesOf(id: string): RuleFixture[] {
  const file = join(__dirname, 'rules', id, 'fixtures', `${id}.fixtures.ts`);
  if (!existsSync(file)) return [];
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- fixtures are found by the rule's ID
  return (require(file) as { default: RuleFixture[] }).default;
}

describe('rule catalogue', () => {
  it('holds exactly the rules of spec/rules.md, each ID once', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...SPEC_IDS].sort());
    expect(getRule('off-hours')?.title).toBe('時間外アクセス');
    expect(getRule('no-such-rule')).toBeUndefined();
  });

  it.each(RULES.map((r) => [r.id, r] as const))(
    '%s: metadata in Japanese, defaults parse, an int-spec with positive and negative fixtures',
    (id, rule) => {
      expect(rule.id).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(SEVERITIES).toContain(rule.severity);
      expect(Number.isInteger(rule.version) && rule.version >= 1).toBe(true);
      for (const text of [rule.title, rule.guideline, rule.description]) expect(text).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
      expect(() => rule.params.parse({})).not.toThrow();
      expect(existsSync(join(__dirname, 'rules', id, `${id}.rule.int-spec.ts`))).toBe(true);
      const kinds = new Set(fixturesOf(id).map((f) => f.kind));
      expect(kinds.has('positive')).toBe(true);
      expect(kinds.has('negative')).toBe(true);
      for (const f of fixturesOf(id)) {
        if (f.kind === 'positive') expect(f.expected.length).toBeGreaterThan(0);
        if (f.kind === 'negative') expect(f.expected).toEqual([]);
      }
    },
  );

  it.each(RULES.map((r) => [r.id, r] as const))(
    '%s: declares exactly what its query reads (event sources, masters, look-back)',
    (_id, rule) => {
      expect(undeclared(rule)).toEqual([]);
    },
  );

  it('the declaration check names a rule that reads events, masters or a look-back it does not declare', () => {
    const offHours = getRule('off-hours')!;
    expect(undeclared({ ...offHours, reads: { events: [], masters: ['staff'], lookbackDays: 0 } })).toEqual([
      'off-hours: its query reads events but reads.events declares none — declare the sources it reads, or ALL_EVENTS',
      "off-hours: its query reads master_accounts but reads.masters does not declare 'accounts'",
      "off-hours: its query reads master_overtime but reads.masters does not declare 'overtime'",
      "off-hours: its query reads calendar_days but reads.masters does not declare 'calendar'",
    ]);
    const massOutput = getRule('mass-output')!;
    expect(undeclared({ ...massOutput, reads: { ...massOutput.reads, lookbackDays: 0 } })).toEqual([
      'mass-output: its query reads events up to 90 days before its window but reads.lookbackDays is 0',
    ]);
    const externalMedia = getRule('external-media')!;
    expect(undeclared({ ...externalMedia, reads: { ...externalMedia.reads, events: ['terminal'] } })).toEqual([
      'external-media: reads.events declares [terminal] but its query reads every source (no source = {…} filter) — declare ALL_EVENTS',
    ]);
    const missingReason = getRule('missing-reason')!;
    expect(undeclared({ ...missingReason, reads: { ...missingReason.reads, events: ALL_EVENTS, masters: ['leaves'] } })).toEqual([
      'missing-reason: its query reads only the sources [jumin] but reads.events declares ALL_EVENTS — declare [jumin]',
      "missing-reason: reads.masters declares 'leaves' but its query reads none of master_leaves",
    ]);
    // the prepare statements are read with the query: their look-ahead, their masters, the table they write
    const unexplained = getRule('unexplained-access')!;
    expect(
      undeclared({ ...unexplained, reads: { ...unexplained.reads, lookaheadDays: 0, masters: ['staff', 'residents', 'watchlist'] } }),
    ).toEqual([
      "unexplained-access: its query reads master_assignments but reads.masters does not declare 'assignments'",
      'unexplained-access: its query reads events up to 1 days after its window but reads.lookaheadDays is 0',
    ]);
    expect(undeclared({ ...unexplained, reads: { ...unexplained.reads, dayOnly: ['jumin', 'terminal'] } })).toEqual([
      'unexplained-access: reads.dayOnly names [terminal], which reads.events does not list',
    ]);
    expect(undeclared({ ...unexplained, prepare: undefined })).toContain(
      'unexplained-access: its query reads access_explanations, which is neither events nor a master: the analysis ledger cannot tell when it changes',
    );
  });

  it.each(RULES.map((r) => [r.id, r] as const))(
    '%s: reads as a Japanese sentence with every parameter written in, and names the unit of its count',
    (_id, rule) => {
      const site = { hours: sampleContext(rule, READ_CHECK_WINDOWS[0]).hours };
      const defaults = rule.params.parse({}) as Record<string, unknown>;
      const sentence = rule.explain.sentence(defaults, site);
      expect(sentence).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
      // No parameter names or key=value: the officer reads words and numbers.
      expect(sentence).not.toMatch(/[={}[\]]|[a-z][A-Z]/);
      for (const key of Object.keys(defaults)) expect(sentence).not.toContain(key);
      expect(COUNT_UNITS).toContain(rule.explain.count.unit);
      expect(rule.explain.count.of).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]|^ID$/);
      // Each parameter shows: another value of it gives another sentence.
      for (const [key, value] of Object.entries(defaults)) {
        const other = rule.params.parse({ ...defaults, [key]: otherValue(key, value) });
        expect([key, rule.explain.sentence(other, site)]).not.toEqual([key, sentence]);
      }
    },
  );

  it('writes the mass-output parameters as the officer reads them', () => {
    const rule = getRule('mass-output')!;
    const site = { hours: sampleContext(rule, READ_CHECK_WINDOWS[0]).hours };
    expect(rule.explain.sentence(rule.params.parse({}), site)).toBe(
      '1日に帳票・CSV出力（一括出力を含む）が1,000件以上、または本人の過去90日の95パーセンタイルの10倍以上（200件以上）。比較は過去の出力日が10日以上ある職員のみ',
    );
    const offHours = getRule('off-hours')!;
    expect(offHours.explain.sentence({}, site)).toBe(
      '勤務時間（08:30〜17:15、前後30分の猶予を含む）の外、または閉庁日に、時間外勤務命令のない職員がシステムを利用したもの（職員・日ごとに1件）',
    );
    expect(getRule('mass-lookup')!.explain.count.unit).toBe('人');
    expect(getRule('login-failures')!.explain.count.unit).toBe('回');
  });

  it('keeps the spec defaults', () => {
    expect(getRule('mass-output')!.params.parse({})).toMatchObject({
      threshold: 1000,
      factor: 10,
      lookbackDays: 90,
      minActiveDays: 10,
      minimum: 200,
    });
    expect(getRule('mass-lookup')!.params.parse({})).toMatchObject({ threshold: 300 });
    expect(getRule('dormant-account')!.params.parse({})).toMatchObject({ minLeaveDays: 90 });
    expect(getRule('login-failures')!.params.parse({})).toMatchObject({ failures: 5, withinMinutes: 10 });
    expect(getRule('concurrent-sessions')!.params.parse({})).toMatchObject({ idleMinutes: 30 });
    expect(getRule('log-gap')!.params.parse({})).toMatchObject({ gapHours: 3 });
    expect(getRule('unused-account')!.params.parse({})).toMatchObject({ days: 90 });
  });

  it('resolves configured parameters and names a wrong key', () => {
    expect(resolveRuleParams(getRule('mass-lookup')!, { params: { 'mass-lookup': { threshold: 500 } } })).toEqual({ threshold: 500 });
    expect(resolveRuleParams(getRule('external-media')!, { approvedDevices: ['USB\\X'] })).toEqual({ approvedDevices: ['USB\\X'] });
    expect(() => resolveRuleParams(getRule('login-failures')!, { params: { 'login-failures': { failures: 'many' } } })).toThrow(
      RuleParamsError,
    );
    expect(() => resolveRuleParams(getRule('login-failures')!, { params: { 'login-failures': { failures: 'many' } } })).toThrow(
      /rules\.params\.login-failures\.failures: 無効な入力: 数値が期待されましたが/,
    );
  });

  it('bumps a rule version or revision whenever its query changes (catalog.lock.json)', () => {
    const current = currentLock(RULES);
    if (process.env.UPDATE_RULES_LOCK === '1') writeFileSync(LOCK_FILE, JSON.stringify(current, null, 2) + '\n');
    const problems = lockProblems(JSON.parse(readFileSync(LOCK_FILE, 'utf8')) as CatalogLock, current);
    if (problems.length) {
      throw new Error(
        `${problems.join('\n')}\nThen run: UPDATE_RULES_LOCK=1 npx jest libs/rules/src/catalog.spec.ts, and commit catalog.lock.json`,
      );
    }
  });

  it('accepts a changed query only with a new version or revision, and names what to bump', () => {
    const lock: CatalogLock = { r: { version: 2, queryHash: 'a' } };
    expect(lockProblems(lock, { r: { version: 2, queryHash: 'a' } })).toEqual([]);
    expect(lockProblems(lock, { r: { version: 2, queryHash: 'b' } })).toEqual([
      expect.stringMatching(/^r: query changed but version is still 2 \(revision 0\) — bump the rule's version .* or, .* its revision$/),
    ]);
    // Bumped, but the lock not yet written again.
    expect(lockProblems(lock, { r: { version: 2, revision: 1, queryHash: 'b' } })).toEqual(['r: catalog.lock.json is out of date']);
    expect(lockProblems(lock, { r: { version: 3, queryHash: 'b' } })).toEqual(['r: catalog.lock.json is out of date']);
    expect(lockProblems({ r: { version: 2, revision: 1, queryHash: 'b' } }, { r: { version: 2, revision: 1, queryHash: 'b' } })).toEqual(
      [],
    );
    expect(lockProblems({}, { r: { version: 1, queryHash: 'a' } })).toEqual(['r: not in catalog.lock.json']);
  });
});
