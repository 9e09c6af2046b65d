import { TABLES } from '@kansa/storage';
import { openTestStore, TestStore } from '@kansa/test-kit';
import { FindingsService } from '../findings/findings.service';
import { insertEvents, openAnalyzerApp } from '../testing/analyzer-test-app';
import { lateViewRule } from '../testing/test-rules';
import { ABANDONED_RUN_ERROR, AnalysisInterruptedError, AnalysisService } from './analysis.service';

/**
 * kansa stopped (SIGTERM, a restart, a crash) while an analysis runs: the run
 * is never left "実行中" in the report's list of runs, and its days are
 * analysed after the next start.
 */
describe('an analysis and the end of its process (real ClickHouse)', () => {
  let store: TestStore;
  const open = () => openAnalyzerApp(store, { rules: [lateViewRule()], now: '2025-04-20T10:00:00+09:00' });
  const runs = () =>
    store.rows<{ run_id: string; status: string; error: string; finished_at: string | null }>(
      `SELECT run_id, status, error, finished_at FROM ${TABLES.analysisRuns} FINAL ORDER BY started_at`,
    );

  beforeAll(async () => {
    store = await openTestStore();
    await insertEvents(store, [
      { id: 'n1', ts: '2025-04-14 21:00:00.000', user: 'K000001' },
      { id: 'n2', ts: '2025-04-15 22:00:00.000', user: 'K000002' },
    ]);
  });
  afterAll(() => store?.close());
  beforeEach(() => store.client.command({ query: `TRUNCATE TABLE ${TABLES.analysisRuns}` }));

  it('a shutdown during a run records it as interrupted before storage closes, starts no other, and leaves its days due', async () => {
    const app = await open();
    const analysis = app.get(AnalysisService);
    const running = analysis.analyze({ fromDay: '2025-04-14', toDay: '2025-04-16' });
    const outcome = running.then(
      () => 'finished',
      (err: Error) => err,
    );
    await app.close();
    const err = await outcome;
    expect(err).toBeInstanceOf(AnalysisInterruptedError);
    expect(await runs()).toEqual([
      expect.objectContaining({ status: 'failed', error: expect.stringContaining('停止により中断'), finished_at: expect.any(String) }),
    ]);
    expect(await store.rows(`SELECT * FROM ${TABLES.analysisLedger}`)).toEqual([]);
    // nothing starts once the process is stopping
    await expect(analysis.analyze({ fromDay: '2025-04-14', toDay: '2025-04-16' })).rejects.toThrow(AnalysisInterruptedError);
    expect(await runs()).toHaveLength(1);

    const next = await open();
    try {
      const result = await next.get(AnalysisService).analyze({ fromDay: '2025-04-14', toDay: '2025-04-16' });
      expect(result.findings).toBe(2);
      expect((await next.get(FindingsService).list({})).map((f) => f.userId).sort()).toEqual(['K000001', 'K000002']);
      expect((await runs()).map((r) => r.status).sort()).toEqual(['failed', 'ok']); // the clock is frozen: both started at once
    } finally {
      await next.close();
    }
  });

  it("a run a process left 'running' (killed, the machine restarted) is recorded as failed at the next start", async () => {
    const row = (id: string, status: string) => ({
      run_id: id,
      kind: 'daily',
      started_at: '2025-04-20 01:00:00.000',
      finished_at: status === 'ok' ? '2025-04-20 01:00:05.000' : null,
      from_day: '2025-04-19',
      to_day: '2025-04-19',
      rules: ['test-late-view'],
      status,
      error: '',
      findings: 0,
    });
    await store.client.insert({ table: TABLES.analysisRuns, values: [row('left', 'running'), row('done', 'ok')], format: 'JSONEachRow' });
    const app = await open();
    try {
      expect(
        Object.fromEntries((await runs()).map((r) => [r.run_id, { status: r.status, error: r.error, finished: r.finished_at }])),
      ).toEqual({
        left: { status: 'failed', error: ABANDONED_RUN_ERROR, finished: null },
        done: { status: 'ok', error: '', finished: '2025-04-20 01:00:05.000' },
      });
    } finally {
      await app.close();
    }
  });
});
