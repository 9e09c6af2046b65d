import { INestApplicationContext } from '@nestjs/common';
import { AuditTrailService } from '@kansa/audit-trail';
import { TABLES } from '@kansa/storage';
import { openTestStore, TestStore } from '@kansa/test-kit';
import { AnalysisService } from '../../detection/analysis.service';
import { FindingsService } from '../../findings/findings.service';
import { insertEvents, openAnalyzerApp } from '../../testing/analyzer-test-app';
import { ExceptionsService } from './exceptions.service';
import { CaseworkRequestError } from '../casework-request.error';

/** 課税課 prints the 住民税 notices in June: tens of thousands of records, planned and approved. */
const JUNE_PRINT = {
  rule: 'mass-output',
  departments: ['100300'],
  validFrom: '2025-06-01',
  validTo: '2025-06-30',
  reason: '住民税 当初課税通知書の一括印刷',
  reference: '決裁 第2025-0123号',
  requestedBy: '課税課 田中',
  approvedBy: 'システム管理室長 佐藤',
};

describe('approved exceptions (例外承認)', () => {
  let store: TestStore;
  let app: INestApplicationContext;
  const exceptions = () => app.get(ExceptionsService);
  const statusOf = async (userId: string) =>
    (await app.get(FindingsService).list({ from: '2025-06-01', to: '2025-06-30' })).find((f) => f.userId === userId);

  beforeAll(async () => {
    store = await openTestStore();
    await store.client.insert({
      table: TABLES.masterVersions,
      format: 'JSONEachRow',
      values: [
        {
          master: 'staff',
          version: 1,
          effective_from: '2025-01-01 00:00:00.000',
          loaded_at: '2025-01-01 00:00:00.000',
          file_name: 'staff.csv',
          file_sha256: 'x',
          rows: 2,
        },
      ],
    });
    await store.client.insert({
      table: TABLES.staff,
      format: 'JSONEachRow',
      values: [
        {
          version: 1,
          staff_id: 'K000301',
          name: '課税 一郎',
          department_code: '100300',
          department_name: '課税課',
          employment_status: '在職',
          retired_on: null,
          resident_id: '',
          household_id: '',
        },
        {
          version: 1,
          staff_id: 'K000101',
          name: '市民 花子',
          department_code: '100100',
          department_name: '市民課',
          employment_status: '在職',
          retired_on: null,
          resident_id: '',
          household_id: '',
        },
      ],
    });
    await insertEvents(store, [
      { id: 'p1', ts: '2025-06-10 10:00:00.000', user: 'K000301', department: '100300', action: 'print', recordCount: 30_000 },
      { id: 'p2', ts: '2025-06-11 10:00:00.000', user: 'K000101', department: '100100', action: 'export', recordCount: 5_000 },
    ]);
    app = await openAnalyzerApp(store, { now: '2025-06-20T12:00:00+09:00' });
    await app.get(AnalysisService).analyze({ fromDay: '2025-06-01', toDay: '2025-06-19', rules: ['mass-output'] });
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  it('refuses an exception approved by its requester, longer than the limit, or for an unknown rule', async () => {
    await expect(exceptions().add({ ...JUNE_PRINT, approvedBy: JUNE_PRINT.requestedBy }, '佐藤')).rejects.toThrow(/申請者と承認者は別/);
    await expect(exceptions().add({ ...JUNE_PRINT, validTo: '2025-09-30' }, '佐藤')).rejects.toThrow(/最長 90 日/);
    await expect(exceptions().add({ ...JUNE_PRINT, rule: 'no-such-rule' }, '佐藤')).rejects.toThrow(CaseworkRequestError);
    await expect(exceptions().add({ ...JUNE_PRINT, reference: ' ' }, '佐藤')).rejects.toThrow(/reference/);
  });

  // One exception's life, in order: approved, edited to a raised threshold, expiring, revoked.
  it('covers the findings in its scope (stored all the same, status 例外適用 with the reference), follows its versions, and once revoked no longer applies', async () => {
    expect((await statusOf('K000301'))?.status).toBe('new');
    const { exception, findingsCovered } = await exceptions().add(JUNE_PRINT, '佐藤');
    expect(findingsCovered).toBe(1);
    const covered = await statusOf('K000301');
    expect({ status: covered?.status, exception: covered?.exception }).toEqual({
      status: 'excepted',
      exception: { id: exception.id, version: 1, reference: '決裁 第2025-0123号' },
    });
    expect((await statusOf('K000101'))?.status).toBe('new');
    // A re-analysis of the month keeps it covered.
    await app.get(AnalysisService).analyze({ fromDay: '2025-06-01', toDay: '2025-06-19', rules: ['mass-output'] });
    expect((await statusOf('K000301'))?.status).toBe('excepted');
    // A person can still review it.
    const reviewed = await app.get(FindingsService).transition(covered!.id, 'reviewing', '監査 鈴木', '');
    expect(reviewed.status).toBe('reviewing');

    // With a raised threshold instead of a blanket pass, it covers only what stays within it; every version stays readable.
    const [current] = await exceptions().list({ rule: 'mass-output' });
    const edited = await exceptions().edit(current.id, { ...JUNE_PRINT, maxCount: 20_000 }, '佐藤');
    expect({ version: edited.exception.version, covered: edited.findingsCovered }).toEqual({ version: 2, covered: 0 });
    expect((await statusOf('K000301'))?.exception).toBeNull();
    const history = await exceptions().history(current.id);
    expect(history.map((h) => [h.version, h.maxCount])).toEqual([
      [1, null],
      [2, 20_000],
    ]);
    await exceptions().edit(current.id, { ...JUNE_PRINT, maxCount: 40_000 }, '佐藤');
    expect((await statusOf('K000301'))?.exception?.version).toBe(3);

    // Listed as expiring within 14 days; once revoked it no longer applies; every change is in the audit trail.
    expect((await exceptions().expiring('2025-06-20')).map((x) => x.id)).toEqual([current.id]);
    expect(await exceptions().expiring('2025-06-01')).toEqual([]);
    await expect(exceptions().revoke(current.id, '佐藤', ' ')).rejects.toThrow(/取消の理由/);
    await exceptions().revoke(current.id, '佐藤', '印刷が終わったため');
    expect((await statusOf('K000301'))?.exception).toBeNull();
    await expect(exceptions().edit(current.id, JUNE_PRINT, '佐藤')).rejects.toThrow(/取消済み/);
    await expect(exceptions().revoke(current.id, '佐藤', 'もう一度')).rejects.toThrow(/取消済み/);
    const trail = await app.get(AuditTrailService).list({ kinds: ['exception'] });
    expect(trail.map((c) => c.summary.match(/を(\S+?)しました/)?.[1])).toEqual(['取消', '変更', '変更', '登録']);
    expect((await app.get(AuditTrailService).verify()).ok).toBe(true);
  });
});
