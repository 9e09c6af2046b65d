import { insertEventRows, TABLES } from '@kansa/storage';
import { eventRow, openTestStore, TestStore } from '@kansa/test-kit';
import { getRule } from './catalog';
import { sampleContext } from './core/sample-context';

/**
 * The rules with a long look-back read it from the events' aggregate
 * projections (migrations 180, 181), not from the rows: on a city's months
 * that is seconds of every daily run (docs/analyzer.md). A query edited so
 * that the engine can no longer use them still gives the same findings, only
 * slowly — this test is what notices. Real ClickHouse: the engine is asked
 * to refuse the query unless it used the projection.
 */
describe("the look-backs are read from the events' projections", () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore();
    await store.client.command({ query: `TRUNCATE TABLE ${TABLES.events}` });
    // a few events in the look-back of every rule below (a projection is used only where there are parts to read),
    // the last one a day mass-output could report (it reads the look-back of such users only)
    await insertEventRows(
      store.client,
      ['2025-03-03', '2025-04-01', '2025-05-30'].map((day, i) =>
        eventRow({
          event_id: `p${i}`.padEnd(32, '0'),
          ts: `${day} 10:00:00.000`,
          source: 'jumin',
          user_id: 'K000001',
          action: 'print',
          record_count: day === '2025-05-30' ? 1200 : 1,
        }),
      ),
    );
  });
  afterAll(() => store?.close());

  it.each([
    ['unused-account', 'day_user'],
    ['unused-account', 'day_state'],
    ['mass-output', 'day_user'],
    ['log-gap', 'day_user'],
    ['dormant-account', 'day_state'],
  ])('%s reads %s', async (id, projection) => {
    const rule = getRule(id)!;
    const { query, query_params } = rule.query(sampleContext(rule, { fromDay: '2025-05-30', toDay: '2025-05-30' }));
    const run = (name: string) =>
      store.client.query({ query, query_params, format: 'JSONEachRow', clickhouse_settings: { force_optimize_projection_name: name } });
    await expect(run(projection)).resolves.toBeDefined();
    // the check can fail: no query uses a projection that does not exist
    await expect(run('no_such_projection')).rejects.toThrow(/projection/i);
  });
});
