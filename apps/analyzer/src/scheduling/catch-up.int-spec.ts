import { INestApplicationContext } from '@nestjs/common';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MastersRepository } from '@kansa/masters';
import { RULES } from '@kansa/rules';
import { openTestStore, TestStore } from '@kansa/test-kit';
import { FindingsService } from '../findings/findings.service';
import { CoverageService } from '../ledger/coverage.service';
import { insertEvents, openAnalyzerApp, resetStore, TestEvent } from '../testing/analyzer-test-app';
import { AnalysedWindow, AnalysisSchedulerService } from './analysis-scheduler.service';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

/** The rules that look back over earlier days' events (mass-output's baseline, log-gap's expected sources, …). */
const LOOKBACK_RULES = ['dormant-account', 'log-gap', 'mass-output', 'unused-account'];
/** external-media looks back one day: a write naming only a file goes to the device connected the day before. */
const DAY_BEFORE_RULES = ['external-media'];
const ALL_RULES = RULES.map((r) => r.id).sort();
/**
 * The rest read the day itself only — unexplained-access too: it reads the business records of 30 days before and
 * 1 day after each day, but the accesses of the day itself (docs/explanations.md), so a late access file makes its
 * own day due and no other.
 */
const OTHER_RULES = ALL_RULES.filter((r) => ![...LOOKBACK_RULES, ...DAY_BEFORE_RULES].includes(r));

/** A normal working day of one user on 住民記録: searches every two hours from 09:00 to 17:00 (no gap of 3 h). */
function workday(day: string, user = 'K000001'): TestEvent[] {
  return ['09', '11', '13', '15', '17'].map((h) => ({ id: `w-${user}-${day}-${h}`, ts: `${day} ${h}:00:00.000`, user, action: 'search' }));
}

/** A window as the tests compare it: its days and the rules that ran. */
function ran(windows: AnalysedWindow[]): Array<{ days: string; rules: string[] }> {
  return windows.map((w) => ({ days: `${w.fromDay}..${w.toDay}`, rules: w.rules.map((r) => r.rule).sort() }));
}

/**
 * Catch-up with the real rule catalogue: the service was stopped, logs and
 * masters kept arriving (a late file for an old day, a leave registered
 * after the fact), and on restart exactly the due (rule, day) pairs are
 * analysed. Every test starts from an empty store; each run of the service
 * is an app with its own (later) frozen clock, as time passes between runs.
 */
describe('catch-up after downtime (real ClickHouse, real rule catalogue, frozen clock)', () => {
  let store: TestStore;
  const apps: INestApplicationContext[] = [];
  const open = async (now: string, options: Parameters<typeof openAnalyzerApp>[1] = {}) => {
    const app = await openAnalyzerApp(store, { now, ...options });
    apps.push(app);
    return app;
  };
  /** Writes master CSVs into a new folder: file name → lines (header first). */
  const mastersDir = (files: Record<string, string[]>) => {
    const dir = scratchDir('catch-up-masters');
    for (const [name, lines] of Object.entries(files)) writeFileSync(join(dir, name), lines.join('\n') + '\n');
    return dir;
  };
  const findings = async (app: INestApplicationContext) =>
    (await app.get(FindingsService).list({})).map((f) => `${f.rule} ${f.day} ${f.userId || f.subject}`).sort();
  /** The (rule, day) cells that are due, as `day rule:state`, sorted. */
  const dueCells = async (app: INestApplicationContext, fromDay: string, toDay: string) =>
    (await app.get(CoverageService).assess(fromDay, toDay))
      .filter((c) => c.state !== 'analysed')
      .map((c) => `${c.day} ${c.rule}:${c.state}`)
      .sort();

  beforeAll(async () => {
    store = await openTestStore();
  });
  beforeEach(async () => resetStore(store));
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
  });
  afterAll(async () => {
    await store?.close();
  });

  it('a late day is analysed again by every rule: its off-hours access is found and the log-gap it caused is withdrawn', async () => {
    await insertEvents(
      store,
      ['2025-06-02', '2025-06-03', '2025-06-05', '2025-06-06'].flatMap((d) => workday(d)),
    );

    // Saturday 2025-06-07 10:00 JST: everything from the first day with events up to yesterday.
    const first = await open('2025-06-07T10:00:00+09:00');
    expect(ran(await first.get(AnalysisSchedulerService).catchUp())).toEqual([{ days: '2025-06-02..2025-06-06', rules: ALL_RULES }]);
    expect(await findings(first)).toEqual(['log-gap 2025-06-04 jumin']);
    expect(await first.get(AnalysisSchedulerService).catchUp()).toEqual([]);

    // The file of Wednesday 06-04 arrives late; it holds a search at 22:00. The service runs again an hour later.
    await insertEvents(store, [
      ...workday('2025-06-04'),
      { id: 'late-night', ts: '2025-06-04 22:00:00.000', user: 'K000002', action: 'search' },
    ]);
    const second = await open('2025-06-07T11:00:00+09:00');
    expect(await dueCells(second, '2025-06-02', '2025-06-06')).toEqual(
      [
        ...ALL_RULES.map((r) => `2025-06-04 ${r}:data-changed`),
        ...['2025-06-05', '2025-06-06'].flatMap((d) => LOOKBACK_RULES.map((r) => `${d} ${r}:lookback-changed`)),
        '2025-06-05 external-media:lookback-changed',
      ].sort(),
    );

    const windows = await second.get(AnalysisSchedulerService).catchUp();
    expect(ran(windows)).toEqual([
      { days: '2025-06-04..2025-06-04', rules: OTHER_RULES },
      { days: '2025-06-04..2025-06-05', rules: DAY_BEFORE_RULES },
      { days: '2025-06-04..2025-06-06', rules: LOOKBACK_RULES },
    ]);
    expect(windows[2].rules.find((r) => r.rule === 'log-gap')).toMatchObject({ findings: 0, withdrawn: 1 });
    expect(await findings(second)).toEqual(['off-hours 2025-06-04 K000002']);
    expect(await (await open('2025-06-07T12:00:00+09:00')).get(AnalysisSchedulerService).catchUp()).toEqual([]);
  });

  it("late logs inside mass-output's 90-day baseline make the later days due, and the finding they support appears", async () => {
    const print = (day: string, records: number) => ({
      id: `p-${day}`,
      ts: `${day} 10:00:00.000`,
      user: 'K000003',
      action: 'print',
      recordCount: records,
    });
    // 20 records a day on 5 days, then 300 on 06-30: too few active days for a baseline, under the 1000 threshold.
    await insertEvents(store, [
      ...['2025-06-02', '2025-06-03', '2025-06-04', '2025-06-05', '2025-06-06'].map((d) => print(d, 20)),
      print('2025-06-30', 300),
    ]);
    const first = await open('2025-07-01T10:00:00+09:00');
    expect(ran(await first.get(AnalysisSchedulerService).catchUp())).toEqual([{ days: '2025-06-02..2025-06-30', rules: ALL_RULES }]);
    expect((await findings(first)).filter((f) => f.startsWith('mass-output'))).toEqual([]);

    // May's files arrive late: five more days of 20 records, so 06-30 has 10 active days with p95 = 20.
    await insertEvents(
      store,
      ['2025-05-12', '2025-05-13', '2025-05-14', '2025-05-15', '2025-05-16'].map((d) => print(d, 20)),
    );
    const app = await open('2025-07-01T11:00:00+09:00');
    // 06-30 itself did not change; the rules whose look-back reaches back to mid-May must see it again (log-gap and
    // dormant-account look back 30 days only).
    expect(await dueCells(app, '2025-06-30', '2025-06-30')).toEqual([
      '2025-06-30 mass-output:lookback-changed',
      '2025-06-30 unused-account:lookback-changed',
    ]);
    await app.get(AnalysisSchedulerService).catchUp();
    expect((await findings(app)).filter((f) => f.startsWith('mass-output'))).toEqual(['mass-output 2025-06-30 K000003']);
    expect(await (await open('2025-07-01T12:00:00+09:00')).get(AnalysisSchedulerService).catchUp()).toEqual([]);
  });

  it('a back-dated masters load makes the days it changes due for the rules that read that master; the same file again does not', async () => {
    const masters = mastersDir({
      'staff.csv': [
        '職員ID,氏名,所属コード,所属名,在職区分,退職日,宛名番号,世帯番号',
        'K000001,髙橋 一郎,100100,市民課,在職,,,',
        'K000004,山﨑 花子,100100,市民課,在職,,,',
      ],
      'accounts.csv': ['システム,アカウントID,職員ID,状態,状態変更日', 'jumin,K000004,K000004,有効,2024-04-01'],
      'leaves.csv': ['職員ID,休業種別,開始日,終了日'],
    });
    await insertEvents(store, [
      ...['2025-06-02', '2025-06-03', '2025-06-04', '2025-06-05', '2025-06-06'].flatMap((d) => workday(d)),
      { id: 'k4', ts: '2025-06-04 10:30:00.000', user: 'K000004', action: 'search' },
    ]);
    const first = await open('2025-06-07T10:00:00+09:00');
    const repo = first.get(MastersRepository);
    await repo.load(masters, { effectiveFrom: '2025-05-01' });
    await first.get(AnalysisSchedulerService).catchUp();
    expect(await findings(first)).toEqual([]);

    // K000004's sick leave 06-03 … 06-05 is registered after the fact, effective from 06-03.
    const leave = mastersDir({ 'leaves.csv': ['職員ID,休業種別,開始日,終了日', 'K000004,病気休暇,2025-06-03,2025-06-05'] });
    await repo.load(leave, { effectiveFrom: '2025-06-03' });
    const app = await open('2025-06-07T11:00:00+09:00');
    expect(await dueCells(app, '2025-06-02', '2025-06-06')).toEqual(
      ['2025-06-03', '2025-06-04', '2025-06-05', '2025-06-06'].flatMap((d) => [
        `${d} absentee-activity:masters-changed`,
        `${d} dormant-account:masters-changed`,
      ]),
    );
    expect(ran(await app.get(AnalysisSchedulerService).catchUp())).toEqual([
      { days: '2025-06-03..2025-06-06', rules: ['absentee-activity', 'dormant-account'] },
    ]);
    expect(await findings(app)).toEqual(['absentee-activity 2025-06-04 K000004']);

    // The same leaves.csv loaded again (a new version, the same content): nothing to analyse.
    await repo.load(leave, { effectiveFrom: '2025-06-03' });
    await repo.load(masters, { effectiveFrom: '2025-05-01' });
    const later = await open('2025-06-07T12:00:00+09:00');
    expect(await dueCells(later, '2025-06-02', '2025-06-06')).toEqual([]);
    expect(await later.get(AnalysisSchedulerService).catchUp()).toEqual([]);
  });

  it('analyses a day again when a rule version changed, for that rule only', async () => {
    await insertEvents(store, workday('2025-06-02'));
    await (await open('2025-06-04T10:00:00+09:00')).get(AnalysisSchedulerService).catchUp();
    const bumped = RULES.map((r) => (r.id === 'missing-reason' ? { ...r, version: r.version + 1 } : r));
    const app = await open('2025-06-04T11:00:00+09:00', { rules: bumped });
    expect(ran(await app.get(AnalysisSchedulerService).catchUp())).toEqual([{ days: '2025-06-02..2025-06-03', rules: ['missing-reason'] }]);
  });

  it('a rule that fails does not stop the other rules or windows; its days stay due', async () => {
    await insertEvents(store, [...workday('2025-05-30'), ...workday('2025-06-02')]);
    const broken = { ...RULES[0], id: 'test-broken', query: () => ({ query: 'SELECT no_such_column FROM events', query_params: {} }) };
    const app = await open('2025-06-03T10:00:00+09:00', { rules: [...RULES, broken] });
    const windows = await app.get(AnalysisSchedulerService).catchUp();
    expect(ran(windows)).toEqual([
      { days: '2025-05-30..2025-05-31', rules: ALL_RULES },
      { days: '2025-06-01..2025-06-02', rules: ALL_RULES },
    ]);
    expect(windows.map((w) => w.failed.map((f) => f.rule))).toEqual([['test-broken'], ['test-broken']]);
    expect(windows[0].failed[0].error).toMatch(/no_such_column/);
    expect(await dueCells(app, '2025-05-30', '2025-06-02')).toEqual(
      ['2025-05-30', '2025-05-31', '2025-06-01', '2025-06-02'].map((d) => `${d} test-broken:never`),
    );
  });

  it('the incremental run analyses today so far for the configured alerting rules', async () => {
    await insertEvents(store, [{ id: 'today', ts: '2025-06-12 00:10:00.000', user: 'K000005', action: 'file_write_external' }]);
    const app = await open('2025-06-12T00:30:00+09:00');
    const result = await app.get(AnalysisSchedulerService).incremental();
    expect(result).toMatchObject({ fromDay: '2025-06-12', toDay: '2025-06-12', findings: 1 });
    expect(result!.rules.map((r) => r.rule).sort()).toEqual([...store.config.analyzer.incrementalRules].sort());
    expect(await findings(app)).toEqual(['external-media 2025-06-12 K000005']);

    const none = await open('2025-06-12T00:30:00+09:00', { config: { analyzer: { ...store.config.analyzer, incrementalRules: [] } } });
    expect(await none.get(AnalysisSchedulerService).incremental()).toBeNull();
  });
});
