import type { ExcusedRow } from '../../core/define-rule';
import { describeRuleFixtures } from '../../testing/describe-rule';
import { RuleHarness, ruleContext } from '../../testing/rule-harness';
import fixtures from './fixtures/off-hours.fixtures';
import rule, { EXCUSED_BY_OVERTIME } from './off-hours.rule';

describeRuleFixtures(rule, fixtures);

const counts = (r: ExcusedRow) => ({ reason: r.reason, events: Number(r.events), users: Number(r.users), user_days: Number(r.user_days) });

/** What the report discloses: off-hours accesses approved overtime covered, counted, never named. */
describe('off-hours: accesses excused by approved overtime', () => {
  let harness: RuleHarness;
  beforeAll(async () => {
    harness = await RuleHarness.open();
  });
  afterAll(async () => {
    await harness?.close();
  });

  const excused = async (name: string): Promise<ExcusedRow[]> => {
    const fixture = fixtures.find((f) => f.name.startsWith(name))!;
    await harness.load(fixture);
    const q = rule.excused!(ruleContext(rule, fixture.window, fixture.params, fixture.hours));
    return (await harness.store.client.query({ query: q.query, query_params: q.query_params, format: 'JSONEachRow' })).json<ExcusedRow>();
  };

  it('counts the accesses inside overtime (grace included) and not the one after it, nor another user without overtime', async () => {
    const [row] = await excused('approved overtime 17:15–20:30');
    expect(counts(row)).toEqual({ reason: EXCUSED_BY_OVERTIME, events: 2, users: 1, user_days: 1 });
  });

  it('overtime past midnight: both days of the one user', async () => {
    const [row] = await excused('overtime past midnight');
    expect(counts(row)).toMatchObject({ events: 2, users: 1, user_days: 2 });
  });

  it('nothing excused without overtime', async () => {
    const [row] = await excused('weekday 21:40 access by a user without overtime');
    expect(Number(row.events)).toBe(0);
  });
});
