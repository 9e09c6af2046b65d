import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RULES } from '../catalog';
import type { RuleFixture } from '../testing/fixture.types';
import { RuleHarness } from '../testing/rule-harness';
import { inlineParams } from './inline-params';

function fixturesOf(id: string): RuleFixture[] {
  const file = join(__dirname, '..', 'rules', id, 'fixtures', `${id}.fixtures.ts`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- fixtures are found by the rule's ID
  return existsSync(file) ? (require(file) as { default: RuleFixture[] }).default : [];
}

describe("a rule's SQL with its parameters written in (kansa rules show) is what the engine runs", () => {
  let harness: RuleHarness;
  beforeAll(async () => {
    harness = await RuleHarness.open();
  });
  afterAll(() => harness?.close());

  const cases = RULES.flatMap((rule) =>
    fixturesOf(rule.id)
      .filter((f) => f.kind === 'positive')
      .map((f) => [`${rule.id}: ${f.name}`, rule, f] as const),
  );
  it.each(cases)('%s: the same rows', async (_name, rule, fixture) => {
    const { parameterized, inlined } = await harness.rowsBothWays(rule, fixture);
    expect(parameterized.length).toBeGreaterThan(0);
    expect(inlined).toEqual(parameterized);
  });

  it('writes strings, numbers and arrays as typed literals and names a missing value', () => {
    expect(inlineParams('SELECT {a:String}, {n:UInt32}, {xs:Array(String)}', { a: "O'Brien\\", n: 90, xs: ['x', 'y'] })).toBe(
      "SELECT CAST('O\\'Brien\\\\' AS String), CAST(90 AS UInt32), CAST(['x', 'y'] AS Array(String))",
    );
    expect(() => inlineParams('SELECT {missing:Date}', {})).toThrow('missing');
  });
});
