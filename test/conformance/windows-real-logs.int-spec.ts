import { startCollector } from '../../apps/collector/src/testing/collector-test-kit';
import { getRule } from '@kansa/rules';
import { sampleContext } from '@kansa/rules/core/sample-context';
import { openTestStore, TestStore } from '@kansa/test-kit';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const FIXTURES = join(__dirname, '../../apps/collector/src/source-systems/windows/fixtures');

/**
 * The Security logs recorded by others (CC0), imported as .evtx files and
 * analysed by the catalogue's rules, unchanged: the findings they must give.
 */
describe('findings of the real Windows Security logs', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore();
    const collector = await startCollector(store);
    for (const f of readdirSync(FIXTURES).filter((n) => n.endsWith('.evtx'))) await collector.files.importFile(join(FIXTURES, f));
    await collector.close();
  });
  afterAll(() => store.close());

  async function findings(id: string, fromDay: string, toDay: string) {
    const rule = getRule(id)!;
    const q = rule.query(sampleContext(rule, { fromDay, toDay }));
    const rs = await store.client.query({ query: q.query, query_params: q.query_params, format: 'JSONEachRow' });
    const ctx = sampleContext(rule, { fromDay, toDay });
    return (await rs.json<Record<string, unknown>>()).map((r) => rule.toFinding(r, ctx));
  }

  it('login-failures: the 16 failures of two users within 20 ms (each user, and the terminal tried with two IDs), and the 5 of one user in UPN form', async () => {
    const f = await findings('login-failures', '2021-05-01', '2023-09-30');
    expect(f.map((x) => ({ day: x.day, subject: x.subject, userId: x.userId, count: x.count }))).toEqual([
      { day: '2021-05-22', subject: 'admmig', userId: 'admmig', count: 5 },
      { day: '2023-09-26', subject: 'terminal:WIN', userId: '', count: 16 },
      { day: '2023-09-26', subject: 'Admin', userId: 'Admin', count: 8 },
      { day: '2023-09-26', subject: 'Administrator', userId: 'Administrator', count: 8 },
    ]);
  });

  it('audit-log-cleared: the 1102 of FS03, by admmig', async () => {
    const f = await findings('audit-log-cleared', '2021-10-01', '2021-10-31');
    expect(f.map((x) => ({ day: x.day, subject: x.subject, userId: x.userId, count: x.count }))).toEqual([
      { day: '2021-10-20', subject: 'terminal:FS03', userId: 'admmig', count: 1 },
    ]);
  });

  it('external-media: the 6416 is a print queue, not external media — no finding', async () => {
    expect(await findings('external-media', '2021-10-01', '2021-10-31')).toEqual([]);
  });
});
