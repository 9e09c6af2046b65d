import { INestApplicationContext } from '@nestjs/common';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MastersRepository } from '@kansa/masters';
import { openTestStore, TestStore } from '@kansa/test-kit';
import { AnalysisService } from '../detection/analysis.service';
import { FindingsService } from '../findings/findings.service';
import { CoverageService } from '../ledger/coverage.service';
import { AnalysisSchedulerService } from '../scheduling/analysis-scheduler.service';
import { insertEvents, openAnalyzerApp, TestEvent } from '../testing/analyzer-test-app';
import { ExplanationsService } from './explanations.service';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

const no = (i: number) => `10000003${String(i).padStart(2, '0')}`;
const ino = (i: number) => `0100000000003${String(i).padStart(2, '0')}`;

/**
 * Explanations as staff read them, over the real analyzer and rule
 * catalogue: a finding's evidence with why each access is fine or not, the
 * month's shares for the report, and a business record sent a day late that
 * explains an access at the next analysis of its day.
 */
describe('explanations of accesses (real ClickHouse, real rule catalogue, frozen clock)', () => {
  let store: TestStore;
  let app: INestApplicationContext;
  const dir = scratchDir('explanations');

  beforeAll(async () => {
    store = await openTestStore();
    writeFileSync(
      join(dir, 'staff.csv'),
      [
        '職員ID,氏名,所属コード,所属名,在職区分,退職日,宛名番号,世帯番号',
        'K000001,髙橋 一郎,100100,市民課,在職,,,',
        'K000002,山﨑 花子,100300,市民税課,在職,,,',
        'K000003,佐藤 三郎,100700,納税課,在職,,,',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'residents.csv'),
      [
        '宛名番号,統合宛名番号,世帯番号,住所コード,異動区分,異動日',
        ...Array.from({ length: 20 }, (_, i) => `${no(i + 1)},${ino(i + 1)},${3000000001 + i},,,`),
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'watchlist.csv'),
      `区分,宛名番号,統合宛名番号,開始日,終了日,担当所属コード\nDV等支援措置,${no(5)},,2025-01-01,,100100\n`,
    );
    writeFileSync(
      join(dir, 'assignments.csv'),
      `担当種別,所属コード,職員ID,世帯番号,宛名番号,開始日,終了日\n介護,100100,,,${no(2)},2025-01-01,\n`,
    );
    await new MastersRepository(store.client).load(dir, { effectiveFrom: '2025-06-01' });

    const view = (id: string, user: string, department: string, i: number, time = '10:00'): TestEvent => ({
      id,
      ts: `2025-06-03 ${time}:00.000`,
      user,
      department,
      action: 'view',
      subject: no(i),
    });
    await insertEvents(store, [
      // 市民課: one resident with a 市民課 record, one by an assignment to the department
      view('a1', 'K000001', '100100', 1),
      view('a2', 'K000001', '100100', 2, '10:05'),
      {
        id: 'r1',
        ts: '2025-05-20 09:00:00.000',
        source: 'records',
        action: 'record',
        department: '100100',
        subject: no(1),
        reason: '届出受付',
        sourceEventId: '100100:R1',
      },
      // 市民税課 looks at the DV resident without any record (watchlist-access and unexplained-access), and at a resident of 市民課's record
      view('b1', 'K000002', '100300', 5),
      view('b2', 'K000002', '100300', 1, '11:00'),
      // 納税課: eight residents, none with a record yet
      ...Array.from({ length: 8 }, (_, k) => view(`c${k}`, 'K000003', '100700', 10 + k, `13:0${k}`)),
    ]);
    app = await openAnalyzerApp(store, { now: '2025-06-05T10:00:00+09:00' });
    // everything up to yesterday, from the first day with events (the business record of 05-20)
    await app.get(AnalysisService).analyze({ fromDay: '2025-05-20', toDay: '2025-06-04' });
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  const finding = async (rule: string, userId: string) =>
    (await app.get(FindingsService).list({ from: '2025-06-03', to: '2025-06-03', rules: [rule] })).find((f) => f.userId === userId);

  it("shows a finding's evidence with the explanation of each access and the explained share", async () => {
    const watch = await finding('watchlist-access', 'K000002');
    const explained = await app.get(ExplanationsService).forFinding(watch!.id);
    expect(explained).toMatchObject({
      rule: 'watchlist-access',
      dayClassified: true,
      counts: { explained: 0, flagged: 1, unexplained: 0, notClassified: 0, explainedShare: 0, byFlag: { watchlist: 1 } },
    });
    expect(explained.events.map((e) => [e.eventId.slice(0, 2), e.class, e.flags])).toEqual([['b1', 'flagged', ['watchlist']]]);

    // any flagged resident makes a finding; it counts every resident the user touched without an explanation that day
    // (市民課's record does not explain 市民税課's look-up)
    const unexplained = await finding('unexplained-access', 'K000002');
    expect(unexplained).toMatchObject({ count: 2, details: { unexplainedResidents: 2, flaggedResidents: 1, flags: ['watchlist'] } });
    expect(unexplained!.evidenceIds.map((id) => id.slice(0, 2))).toEqual(['b1', 'b2']);

    const user = await app.get(ExplanationsService).accesses({ userId: 'K000001', fromDay: '2025-06-03', toDay: '2025-06-03' });
    expect(user.accesses.map((a) => [a.subjectId, a.class, a.explanations, a.recordRef, a.assignmentKind])).toEqual([
      [no(1), 'explained', ['record'], '100100:R1', ''],
      [no(2), 'explained', ['assignment'], '', '介護'],
    ]);
    // a resident's accesses by either number
    const resident = await app.get(ExplanationsService).accesses({ subject: ino(1), fromDay: '2025-06-01', toDay: '2025-06-30' });
    expect(resident.accesses.map((a) => [a.userId, a.class])).toEqual([
      ['K000001', 'explained'],
      ['K000002', 'unexplained'],
    ]);
  });

  it("gives the month's explained share per department and system, and the flagged look-ups per staff member without residents", async () => {
    const month = await app.get(ExplanationsService).month('2025-06');
    expect(month.byDepartmentAndSystem).toEqual([
      { department: '100100', source: 'jumin', accesses: 2, explained: 2, flagged: 0, unexplained: 0, explainedShare: 1 },
      { department: '100300', source: 'jumin', accesses: 2, explained: 0, flagged: 1, unexplained: 1, explainedShare: 0 },
      { department: '100700', source: 'jumin', accesses: 8, explained: 0, flagged: 0, unexplained: 8, explainedShare: 0 },
    ]);
    expect(month.total).toEqual({ accesses: 12, explained: 2, flagged: 1, unexplained: 9, explainedShare: 2 / 12 });
    expect(month.flaggedByStaff).toEqual([
      { userId: 'K000002', department: '100300', accesses: 1, residents: 1, days: 1, flags: ['watchlist'] },
    ]);
    expect(JSON.stringify(month.flaggedByStaff)).not.toContain(no(5));
    expect(month.unexplainedPerUserDay).toEqual([
      { residents: 0, userDays: 1 },
      { residents: 2, userDays: 1 },
      { residents: 8, userDays: 1 },
    ]);
  });

  it('a business record sent a day late makes the day due again and explains the access at the next analysis', async () => {
    expect(await finding('unexplained-access', 'K000003')).toMatchObject({ count: 8 });
    // 納税課's record of one of the eight residents, made on 06-04, arrives late
    await insertEvents(store, [
      {
        id: 'late',
        ts: '2025-06-04 09:30:00.000',
        source: 'records',
        action: 'record',
        department: '100700',
        subject: no(12),
        reason: '相談受付',
        sourceEventId: '100700:L1',
        ingestedAt: '2025-06-05 09:00:00.000',
      },
    ]);
    const cells = await app.get(CoverageService).assess('2025-06-03', '2025-06-03');
    expect(cells.filter((c) => c.state !== 'analysed').map((c) => `${c.rule}:${c.state}`)).toEqual(['unexplained-access:lookback-changed']);
    await app.get(AnalysisSchedulerService).catchUp();
    // seven residents are under the threshold of eight: the untriaged finding is withdrawn
    expect(await finding('unexplained-access', 'K000003')).toBeUndefined();
    const late = await app.get(ExplanationsService).accesses({ subject: no(12), fromDay: '2025-06-03', toDay: '2025-06-03' });
    expect(late.accesses).toEqual([expect.objectContaining({ class: 'explained', recordRef: '100700:L1', recordDay: '2025-06-04' })]);
  });
});
