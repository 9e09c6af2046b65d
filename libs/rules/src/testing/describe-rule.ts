import type { AnyRuleDefinition } from '../catalog';
import type { FindingDraft } from '../core/define-rule';
import type { ExpectedFinding, RuleFixture } from './fixture.types';
import { RuleHarness } from './rule-harness';

/** The part of a finding a fixture checks, in a stable order. */
export function comparable(found: FindingDraft[], expected: ExpectedFinding[]): { found: ExpectedFinding[]; expected: ExpectedFinding[] } {
  const order = (a: ExpectedFinding, b: ExpectedFinding) => `${a.day}|${a.subject}`.localeCompare(`${b.day}|${b.subject}`);
  const exp = [...expected].sort(order);
  const got = [...found]
    .map((f) => {
      const e = exp.find((x) => x.day === f.day && x.subject === f.subject);
      const c: ExpectedFinding = { day: f.day, subject: f.subject };
      if (e?.userId !== undefined) c.userId = f.userId;
      if (e?.count !== undefined) c.count = f.count;
      if (e?.summary !== undefined) c.summary = f.summary;
      // Only the detail keys the fixture names.
      if (e?.details !== undefined) c.details = Object.fromEntries(Object.keys(e.details).map((k) => [k, f.details?.[k]]));
      return c;
    })
    .sort(order);
  return { found: got, expected: exp };
}

/**
 * The int-spec of a rule: every fixture loaded into a real embedded
 * ClickHouse, the rule run over its window, the findings compared.
 */
export function describeRuleFixtures(rule: AnyRuleDefinition, fixtures: RuleFixture[]): void {
  describe(`${rule.id} (${rule.title})`, () => {
    let harness: RuleHarness;
    beforeAll(async () => {
      harness = await RuleHarness.open();
    });
    afterAll(async () => {
      await harness?.close();
    });

    it.each(fixtures.map((f) => [`${f.kind}: ${f.name}`, f] as const))('%s', async (_name, fixture) => {
      const found = await harness.runFixture(rule, fixture);
      const { found: got, expected } = comparable(found, fixture.expected);
      expect(got).toEqual(expected);
      for (const f of found) {
        expect(f.summary).toMatch(/\S/);
        expect(f.evidenceIds.length).toBeLessThanOrEqual(1000);
        expect(f.evidenceTotal).toBeGreaterThanOrEqual(f.evidenceIds.length);
      }
      if (fixture.dayByDay) {
        const daily = await harness.runFixture(rule, fixture, true);
        expect(comparable(daily, fixture.expected).found).toEqual(expected);
      }
    });
  });
}
