import { openTestStore, TestStore } from '@kansa/test-kit';
import { FindingsService } from '../findings/findings.service';
import { CoverageService } from '../ledger/coverage.service';
import { insertEvents, openAnalyzerApp } from '../testing/analyzer-test-app';
import { lateViewRule } from '../testing/test-rules';
import { AnalysisSchedulerService } from './analysis-scheduler.service';

/**
 * The service is stopped, logs keep arriving (a late file for an old day, a
 * whole missed week), and on restart exactly the due windows are analysed.
 */
describe('catch-up after downtime (real ClickHouse, frozen clock)', () => {
  let store: TestStore;
  const rules = [lateViewRule()];

  beforeAll(async () => {
    store = await openTestStore();
  });
  afterAll(async () => store?.close());

  it('analyses every missed day and every day whose data changed, and nothing else', async () => {
    await insertEvents(store, [
      { id: 'd1', ts: '2025-06-02 21:00:00.000', user: 'K000001' },
      { id: 'd2', ts: '2025-06-03 09:00:00.000', user: 'K000001' },
      { id: 'd3', ts: '2025-06-04 22:00:00.000', user: 'K000002' },
    ]);

    // First start, Thursday 2025-06-05 10:00 JST: everything from the first day with events up to yesterday.
    const first = await openAnalyzerApp(store, { rules, now: '2025-06-05T10:00:00+09:00' });
    expect(await first.get(AnalysisSchedulerService).catchUp()).toEqual([
      { fromDay: '2025-06-02', toDay: '2025-06-04', rules: ['test-late-view'], findings: 2 },
    ]);
    expect(await first.get(AnalysisSchedulerService).catchUp()).toEqual([]);
    await first.close();

    // Downtime: a late file for 06-03, and logs for 06-09 … 06-10 while nobody analysed.
    await insertEvents(store, [
      { id: 'd4', ts: '2025-06-03 23:30:00.000', user: 'K000003' },
      { id: 'd5', ts: '2025-06-09 20:15:00.000', user: 'K000004' },
      { id: 'd6', ts: '2025-06-10 08:00:00.000', user: 'K000004' },
    ]);

    // Restart on 2025-06-12 at 00:30 JST (yesterday = 06-11).
    const second = await openAnalyzerApp(store, { rules, now: '2025-06-12T00:30:00+09:00' });
    const coverage = await second.get(CoverageService).assess('2025-06-02', '2025-06-11');
    expect(coverage.map((c) => `${c.day}:${c.state}`)).toEqual([
      '2025-06-02:analysed',
      '2025-06-03:data-changed',
      '2025-06-04:analysed',
      '2025-06-05:never',
      '2025-06-06:never',
      '2025-06-07:never',
      '2025-06-08:never',
      '2025-06-09:never',
      '2025-06-10:never',
      '2025-06-11:never',
    ]);
    expect(await second.get(AnalysisSchedulerService).catchUp()).toEqual([
      { fromDay: '2025-06-03', toDay: '2025-06-03', rules: ['test-late-view'], findings: 1 },
      { fromDay: '2025-06-05', toDay: '2025-06-11', rules: ['test-late-view'], findings: 1 },
    ]);
    const findings = await second.get(FindingsService).list({});
    expect(findings.map((f) => `${f.day} ${f.userId}`)).toEqual([
      '2025-06-09 K000004',
      '2025-06-04 K000002',
      '2025-06-03 K000003',
      '2025-06-02 K000001',
    ]);
    expect((await second.get(CoverageService).due('2025-06-02', '2025-06-11')).size).toBe(0);
    expect(await second.get(AnalysisSchedulerService).catchUp()).toEqual([]);
    await second.close();
  });

  it('analyses a day again when the rule version changed', async () => {
    const app = await openAnalyzerApp(store, { rules: [lateViewRule(2)], now: '2025-06-12T00:30:00+09:00' });
    const windows = await app.get(AnalysisSchedulerService).catchUp();
    expect(windows).toEqual([{ fromDay: '2025-06-02', toDay: '2025-06-11', rules: ['test-late-view'], findings: 4 }]);
    await app.close();
  });

  it('the incremental run analyses today so far for the configured alerting rules', async () => {
    await insertEvents(store, [{ id: 'd7', ts: '2025-06-12 00:10:00.000', user: 'K000005' }]);
    const analyzer = { ...store.config.analyzer, incrementalRules: ['test-late-view'] };
    const app = await openAnalyzerApp(store, { rules: [lateViewRule(2, 0)], now: '2025-06-12T00:30:00+09:00', config: { analyzer } });
    const result = await app.get(AnalysisSchedulerService).incremental();
    expect(result).toMatchObject({ fromDay: '2025-06-12', toDay: '2025-06-12', findings: 1 });
    expect((await app.get(FindingsService).list({ from: '2025-06-12' })).map((f) => f.userId)).toEqual(['K000005']);
    await app.close();

    const none = await openAnalyzerApp(store, { rules: [lateViewRule(2, 0)], now: '2025-06-12T00:30:00+09:00' });
    expect(await none.get(AnalysisSchedulerService).incremental()).toBeNull();
    await none.close();
  });
});
