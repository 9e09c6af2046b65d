import { AuditTrailService } from '@kansa/audit-trail';
import { TABLES } from '@kansa/storage';
import { openTestStore, TestStore } from '@kansa/test-kit';
import { insertEvents, openAnalyzerApp, resetStore, TestEvent } from '../../testing/analyzer-test-app';
import { AuditWatchService, WatchReport } from './audit-watch.service';

/** `n` events of a source on a JST day, from 10:00. */
function events(source: string, day: string, n: number, tag: string): TestEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${tag}${source}${day.replaceAll('-', '')}${String(i).padStart(5, '0')}`,
    ts: `${day} 10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.000`,
    source,
  }));
}

describe('the watch over the audit itself: the clock, log volumes', () => {
  let store: TestStore;

  beforeAll(async () => {
    store = await openTestStore();
  });
  afterAll(async () => {
    await store?.close();
  });
  beforeEach(async () => {
    await resetStore(store);
    for (const t of [TABLES.auditChanges, TABLES.clockMarks]) await store.client.command({ query: `TRUNCATE TABLE ${t}` });
  });

  /** One round of the watch as a (re)started service at `now` would run it: every check, or the clock's alone. */
  const check = async (now: string, part: 'clock' | 'all' = 'all') => {
    const app = await openAnalyzerApp(store, { now });
    try {
      const watch = app.get(AuditWatchService);
      const report: Partial<WatchReport> = part === 'clock' ? { clock: await watch.checkClock() } : await watch.check();
      const trail = await app.get(AuditTrailService).list();
      return { report, trail };
    } finally {
      await app.close();
    }
  };

  it('records once when the clock reads more than the tolerance before a time it already saw, and not for a small correction', async () => {
    expect((await check('2025-06-11T10:00:00+09:00', 'clock')).report.clock).toEqual({ recorded: false });
    // An NTP correction of two minutes: within the tolerance (5 minutes).
    expect((await check('2025-06-11T09:58:00+09:00', 'clock')).report.clock).toEqual({ recorded: false });
    // Set back by an hour — after a restart too (the reading is kept per machine, not per process).
    const back = await check('2025-06-11T09:00:00+09:00', 'clock');
    expect(back.report.clock).toEqual({ wentBackFrom: '2025-06-11 09:58:00.000', recorded: true });
    const [change] = back.trail.filter((c) => c.kind === 'clock-backwards');
    expect(change.summary).toBe('kansa の時計が戻りました: 2025-06-11 09:58:00.000 を記録した後に 2025-06-11 09:00:00.000 を読みました');
    // The next reading goes on from the new time: one record for one jump, not one per reading.
    const after = await check('2025-06-11T09:05:00+09:00', 'clock');
    expect(after.report.clock).toEqual({ recorded: false });
    expect(after.trail.filter((c) => c.kind === 'clock-backwards')).toHaveLength(1);
  });

  it("records a source whose business day fell below a quarter of the same weekday's median, once; a steady source and a quiet one are not", async () => {
    // Wednesday 2025-06-11 checks Tuesday 2025-06-10 against the four Tuesdays before it.
    const tuesdays = ['2025-05-13', '2025-05-20', '2025-05-27', '2025-06-03'];
    await insertEvents(store, [
      ...tuesdays.flatMap((d) => events('jumin', d, 400, 'a')),
      ...events('jumin', '2025-06-10', 90, 'a'),
      ...tuesdays.flatMap((d) => events('atena', d, 300, 'b')),
      ...events('atena', '2025-06-10', 280, 'b'),
      // Quiet: fewer than volumeMinimum (100) usually, left to log-gap.
      ...tuesdays.flatMap((d) => events('chukan', d, 40, 'c')),
    ]);
    const first = await check('2025-06-11T01:30:00+09:00');
    expect(first.report.volume).toEqual([{ source: 'jumin', day: '2025-06-10', events: 90, usual: 400, recorded: true }]);
    const drops = first.trail.filter((c) => c.kind === 'volume-drop');
    expect(drops.map((c) => [c.subject, c.summary])).toEqual([
      ['jumin:2025-06-10', '住民記録システム（jumin）のログが 2025-06-10 に 90 件でした（同じ曜日の直近4週の中央値 400 件の 1/4 未満）'],
    ]);
    // Checked again the same day (a restart, `kansa audit check`): no second record.
    const again = await check('2025-06-11T09:00:00+09:00');
    expect(again.report.volume).toEqual([expect.objectContaining({ source: 'jumin', recorded: false })]);
    expect(again.trail.filter((c) => c.kind === 'volume-drop')).toHaveLength(1);
  });

  it('does not compare a holiday: a quiet 海の日 is no drop', async () => {
    // 2025-07-21 (Mon) is 海の日; the Mondays before it are ordinary.
    const mondays = ['2025-06-23', '2025-06-30', '2025-07-07', '2025-07-14'];
    await insertEvents(store, [...mondays.flatMap((d) => events('jumin', d, 300, 'h')), ...events('jumin', '2025-07-21', 3, 'h')]);
    expect((await check('2025-07-22T01:30:00+09:00')).report.volume).toEqual([]);
  });
});
