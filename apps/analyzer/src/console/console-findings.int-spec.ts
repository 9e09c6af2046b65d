import { INestApplicationContext } from '@nestjs/common';
import { openTestStore, TestStore } from '@kansa/test-kit';
import { AnalysisService } from '../detection/analysis.service';
import { FindingsService } from '../findings/findings.service';
import { insertEvents, openAnalyzerApp } from '../testing/analyzer-test-app';
import { lateViewRule } from '../testing/test-rules';
import { ConsoleFindingsRepository, FindingQuery } from './console-findings.repository';
import { ConsoleModule } from './console.module';

describe('the console findings list: filters, scope, paging in storage (real ClickHouse)', () => {
  let store: TestStore;
  let app: INestApplicationContext;
  const repo = () => app.get(ConsoleFindingsRepository);
  const ALL = { scope: { all: true } } as const;
  const page = async (q: Partial<FindingQuery>) => {
    const { total, rows } = await repo().page({ ...ALL, ...q });
    return { total, rows: rows.map((r) => `${r.day} ${r.user_id} ${r.status}`) };
  };

  beforeAll(async () => {
    store = await openTestStore();
    app = await openAnalyzerApp(store, { module: ConsoleModule, rules: [lateViewRule()], now: '2025-04-20T10:00:00+09:00' });
    // Night views: K1 on the 14th and 15th, K2 on the 15th, K3 on 31 March (another month).
    await insertEvents(store, [
      { id: 'f1', ts: '2025-04-14 21:00:00.000', user: 'K1' },
      { id: 'f2', ts: '2025-04-15 21:00:00.000', user: 'K1' },
      { id: 'f3', ts: '2025-04-15 22:00:00.000', user: 'K2' },
      { id: 'f4', ts: '2025-03-31 22:00:00.000', user: 'K3' },
    ]);
    await app.get(AnalysisService).analyze({ fromDay: '2025-03-31', toDay: '2025-04-16' });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  it('filters by period, staff member and state, counts the whole list and pages it', async () => {
    expect(await page({ from: '2025-04-01', to: '2025-04-30', sort: 'user', desc: false })).toEqual({
      total: 3,
      rows: ['2025-04-15 K1 new', '2025-04-14 K1 new', '2025-04-15 K2 new'], // ties: the latest day first
    });
    expect((await page({ from: '2025-03-01', to: '2025-03-31' })).rows).toEqual(['2025-03-31 K3 new']);
    expect((await page({ userId: 'K1', from: '2025-04-15' })).rows).toEqual(['2025-04-15 K1 new']);
    expect(await page({ from: '2025-04-01', sort: 'user', desc: false, offset: 2, limit: 2 })).toEqual({
      total: 3,
      rows: ['2025-04-15 K2 new'],
    });

    const [k2] = (await repo().page({ ...ALL, userId: 'K2' })).rows;
    await app.get(FindingsService).transition(k2.finding_id, 'reviewing', '監査 担当', '確認中');
    expect((await page({ statuses: ['reviewing'] })).rows).toEqual(['2025-04-15 K2 reviewing']);
    expect((await page({ statuses: ['new'], from: '2025-04-01' })).total).toBe(2);
    expect(await repo().counts({ from: '2025-04-01', to: '2025-04-30', scope: { all: true } })).toEqual(
      expect.arrayContaining([
        { rule: 'test-late-view', severity: 'medium', status: 'new', n: 2 },
        { rule: 'test-late-view', severity: 'medium', status: 'reviewing', n: 1 },
      ]),
    );
  });

  it('keeps a reviewer to the findings assigned to them (no department here: the staff master is empty)', async () => {
    const [k1] = (await repo().page({ ...ALL, userId: 'K1', from: '2025-04-14', to: '2025-04-14' })).rows;
    await repo().assign([k1.finding_id], '審査 太郎', 'admin', '2025-04-20 10:00:00.000', '');
    const scope = { all: false, assignee: '審査 太郎', departments: ['999999'] } as const;
    expect((await page({ scope, from: '2025-04-01' })).rows).toEqual(['2025-04-14 K1 new']);
    expect((await page({ scope: { all: false, assignee: '別の 人', departments: ['999999'] } })).total).toBe(0);
  });
});
