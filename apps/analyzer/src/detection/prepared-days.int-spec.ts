import { INestApplicationContext } from '@nestjs/common';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MastersRepository } from '@kansa/masters';
import { TABLES } from '@kansa/storage';
import { openTestStore, TestStore } from '@kansa/test-kit';
import { ExplanationsService } from '../explanations/explanations.service';
import { FindingsService } from '../findings/findings.service';
import { PrepareAheadService } from '../scheduling/prepare-ahead.service';
import { insertEvents, openAnalyzerApp, resetStore, TestEvent } from '../testing/analyzer-test-app';
import { AnalysisFailedError, AnalysisService, AnalyzeResult } from './analysis.service';
import { RuleRowsRepository } from './rule-rows.repository';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

const no = (i: number) => `20000004${String(i).padStart(2, '0')}`;
const RULE = 'unexplained-access';

/**
 * The classification of accesses (the unexplained-access rule's prepare
 * step) is written once per day and written again only for the days whose
 * inputs changed — whether an analysis or the preparation ahead, as batches
 * arrive, finds them stale. Real ClickHouse, real rule catalogue.
 */
describe('prepared days: each day classified once, again only when its inputs change', () => {
  let store: TestStore;
  const dir = scratchDir('prepared');
  let app: INestApplicationContext | undefined;

  beforeAll(async () => {
    store = await openTestStore();
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  /** 納税課's K000001 looks at eight residents on each of 06-02 and 06-03 without any business record. */
  async function freshCity(now: string): Promise<INestApplicationContext> {
    await app?.close();
    await resetStore(store);
    writeFileSync(
      join(dir, 'staff.csv'),
      '職員ID,氏名,所属コード,所属名,在職区分,退職日,宛名番号,世帯番号\nK000001,佐藤 三郎,100700,納税課,在職,,,\n',
    );
    writeFileSync(
      join(dir, 'residents.csv'),
      ['宛名番号,統合宛名番号,世帯番号', ...Array.from({ length: 8 }, (_, i) => `${no(i + 1)},,${4000000001 + i}`)].join('\n'),
    );
    await new MastersRepository(store.client).load(dir, { effectiveFrom: '2025-05-01' });
    const views = (day: string): TestEvent[] =>
      Array.from({ length: 8 }, (_, i) => ({
        id: `v${day.slice(8)}${i}`,
        ts: `${day} 13:0${i}:00.000`,
        user: 'K000001',
        department: '100700',
        action: 'view',
        subject: no(i + 1),
        ingestedAt: `${day} 23:00:00.000`,
      }));
    await insertEvents(store, [...views('2025-06-02'), ...views('2025-06-03')]);
    app = await openAnalyzerApp(store, { now });
    return app;
  }

  const lateRecord = (day: string, ingestedAt: string): TestEvent => ({
    id: `rec${day}`,
    ts: `${day} 09:30:00.000`,
    source: 'records',
    action: 'record',
    department: '100700',
    subject: no(1),
    reason: '相談受付',
    sourceEventId: `100700:${day}`,
    ingestedAt,
  });
  /** A batch of `source` with events of [firstDay, lastDay], as the collector records it. */
  let batches = 0;
  const batchStored = (source: string, firstDay: string, lastDay: string, finishedAt: string) =>
    store.client.insert({
      table: TABLES.importBatches,
      format: 'JSONEachRow',
      values: [
        {
          batch_id: `b${++batches}`,
          seq: 1,
          source,
          first_day: firstDay,
          last_day: lastDay,
          started_at: finishedAt,
          finished_at: finishedAt,
        },
      ],
    });
  const outcome = (result: AnalyzeResult) => result.rules.find((r) => r.rule === RULE)!;
  const findings = async (a: INestApplicationContext) =>
    (await a.get(FindingsService).list({ from: '2025-06-01', to: '2025-06-30', rules: [RULE] }))
      .map((f) => [f.day, f.count])
      .sort(([x], [y]) => String(x).localeCompare(String(y)));
  const stored = async (day: string) => {
    const [row] = await (
      await store.client.query({
        query: `SELECT count() AS n FROM ${TABLES.accessExplanations} WHERE day = {day:Date}`,
        query_params: { day },
        format: 'JSONEachRow',
      })
    ).json<{ n: string }>();
    return Number(row.n);
  };

  it('a re-analysis of unchanged days classifies nothing again; a late business record re-classifies only the days it can explain', async () => {
    const a = await freshCity('2025-06-10T10:00:00+09:00');
    const analysis = a.get(AnalysisService);
    const first = await analysis.analyze({ fromDay: '2025-06-01', toDay: '2025-06-05' });
    expect(outcome(first)).toMatchObject({ preparedDays: 5 });
    expect(await findings(a)).toEqual([
      ['2025-06-02', 8],
      ['2025-06-03', 8],
    ]);

    const again = await analysis.analyze({ fromDay: '2025-06-01', toDay: '2025-06-05' });
    expect(outcome(again)).toMatchObject({ preparedDays: 0, findings: 2 });
    expect(await findings(a)).toEqual([
      ['2025-06-02', 8],
      ['2025-06-03', 8],
    ]);

    // A record of 06-03 arrives late: it explains accesses of the day before (06-02) to 30 days after — here 06-02..06-05.
    await insertEvents(store, [lateRecord('2025-06-03', '2025-06-09 08:00:00.000')]);
    const late = await analysis.analyze({ fromDay: '2025-06-01', toDay: '2025-06-05' });
    expect(outcome(late)).toMatchObject({ preparedDays: 4, findings: 0, withdrawn: 2 });
    expect(await findings(a)).toEqual([]);
    expect(await stored('2025-06-02')).toBe(8); // rewritten, not added to
  });

  it('a classification that fails half-way is done again at the next analysis, never taken as done', async () => {
    const a = await freshCity('2025-06-10T10:00:00+09:00');
    const analysis = a.get(AnalysisService);
    await analysis.analyze({ fromDay: '2025-06-01', toDay: '2025-06-05' });
    await insertEvents(store, [lateRecord('2025-06-03', '2025-06-09 08:00:00.000')]);
    // The window's rows are deleted, then the engine fails to write them again.
    const rows = a.get(RuleRowsRepository);
    const run = rows.run.bind(rows);
    const spy = jest.spyOn(rows, 'run').mockImplementation(async (q) => {
      if (q.query.trimStart().startsWith('INSERT')) throw new Error('Connection refused');
      return run(q);
    });
    const failed = await analysis.analyze({ fromDay: '2025-06-01', toDay: '2025-06-05' }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(AnalysisFailedError);
    expect((failed as AnalysisFailedError).failures.map((f) => f.rule)).toEqual([RULE]);
    expect(await stored('2025-06-03')).toBe(0);
    spy.mockRestore();

    const next = await analysis.analyze({ fromDay: '2025-06-01', toDay: '2025-06-05' });
    expect(outcome(next)).toMatchObject({ preparedDays: 4, findings: 0 });
    expect(await stored('2025-06-03')).toBe(8);
    const accesses = await a.get(ExplanationsService).accesses({ userId: 'K000001', fromDay: '2025-06-03', toDay: '2025-06-03' });
    expect(accesses.accesses.filter((x) => x.class === 'explained').map((x) => x.subjectId)).toEqual([no(1)]);
  });

  it('the preparation ahead classifies the days of stored batches whose look-ahead is over; the analysis then only reads them', async () => {
    // 06-05: the day before yesterday (06-03) is the last whose look-ahead (one day) is over.
    const a = await freshCity('2025-06-05T10:00:00+09:00');
    // stored a minute before the first pass (the service's first pass starts from its start: what was stored
    // before is classified by the analyses that read it)
    await batchStored('jumin', '2025-06-02', '2025-06-03', '2025-06-05 09:59:00.000');
    const ahead = a.get(PrepareAheadService);
    const commands = jest.spyOn(store.client, 'command');
    // The batch's days, and the day before them (a record of 06-02 would explain an access of 06-01); and yesterday,
    // 06-04, with its look-ahead (today) as it is so far.
    expect(await ahead.pass()).toEqual({
      fromDay: '2025-06-01',
      toDay: '2025-06-04',
      rules: [{ rule: RULE, preparedDays: 4, seconds: expect.any(Number) }],
    });
    expect(await stored('2025-06-03')).toBe(8);
    // Days classified for the first time have nothing to delete: no DELETE is sent (the engine takes up to a second for one).
    expect(commands.mock.calls.map(([c]) => c.query.trim().split(/\s+/)[0])).toEqual(['INSERT']);
    commands.mockRestore();
    // Nothing new: the same batch is looked at again (the last ten minutes are), and nothing is stale.
    expect((await ahead.pass())?.rules).toEqual([{ rule: RULE, preparedDays: 0, seconds: expect.any(Number) }]);

    const analysis = a.get(AnalysisService);
    const result = await analysis.analyze({ fromDay: '2025-06-01', toDay: '2025-06-04' });
    expect(outcome(result)).toMatchObject({ preparedDays: 0, findings: 2 });
    expect(await findings(a)).toEqual([
      ['2025-06-02', 8],
      ['2025-06-03', 8],
    ]);
  });

  it("yesterday is classified ahead after midnight: today's accesses leave it as it was, a late access of it is classified ahead, a record of today only by the analysis", async () => {
    // 00:01: yesterday (06-03) has just ended; its look-ahead (06-04, today) is still filling.
    const a = await freshCity('2025-06-04T00:01:00+09:00');
    const ahead = a.get(PrepareAheadService);
    const analysis = a.get(AnalysisService);
    const pass = async () => {
      const p = await ahead.pass();
      return p && { days: `${p.fromDay}..${p.toDay}`, prepared: p.rules.map((r) => r.preparedDays) };
    };
    // The day whose look-ahead has just ended, and yesterday.
    expect(await pass()).toEqual({ days: '2025-06-02..2025-06-03', prepared: [2] });

    const view = (id: string, ts: string, subject: string): TestEvent => ({
      id,
      ts,
      user: 'K000001',
      department: '100700',
      action: 'view',
      subject,
    });
    /** A batch of one event arrives at `at`. */
    const arrives = async (event: TestEvent, at: string) => {
      await insertEvents(store, [{ ...event, ingestedAt: at }]);
      await batchStored(event.source ?? 'jumin', event.ts.slice(0, 10), event.ts.slice(0, 10), at);
    };
    /** The daily run's analysis of 06-02..06-03. */
    const daily = async () => outcome(await analysis.analyze({ fromDay: '2025-06-02', toDay: '2025-06-03' }));

    // Today's first accesses: not yesterday's inputs (the rule reads accesses of the day itself only).
    await arrives(view('t1', '2025-06-04 00:02:00.000', no(1)), '2025-06-04 00:03:00.000');
    expect(await pass()).toBeNull(); // nothing to look at
    // The daily run reads what was classified ahead.
    expect(await daily()).toMatchObject({ preparedDays: 0, findings: 2 });

    // An access of yesterday sent late: classified again ahead.
    await arrives(view('late', '2025-06-03 17:00:00.000', no(9)), '2025-06-04 00:20:00.000');
    expect(await pass()).toEqual({ days: '2025-06-02..2025-06-03', prepared: [1] });
    expect(await daily()).toMatchObject({ preparedDays: 0 });
    expect(await findings(a)).toEqual([
      ['2025-06-02', 8],
      ['2025-06-03', 9],
    ]);

    // A business record of today explains an access of yesterday: not classified ahead (yesterday would be written
    // again with every record of today), but the analysis finds yesterday stale and classifies it itself.
    await arrives(lateRecord('2025-06-04', ''), '2025-06-04 00:30:00.000');
    // (the late access's batch, of the last ten minutes, is looked at again: nothing is stale)
    expect(await pass()).toEqual({ days: '2025-06-02..2025-06-03', prepared: [0] });
    expect(await daily()).toMatchObject({ preparedDays: 1 });
    expect(await findings(a)).toEqual([
      ['2025-06-02', 8],
      ['2025-06-03', 8],
    ]);
  });
});
