import { INestApplicationContext } from '@nestjs/common';
import { openTestStore, TestStore } from '@kansa/test-kit';
import { FindingsService } from '../findings/findings.service';
import { findingId } from '../findings/finding-id';
import { insertEvents, openAnalyzerApp } from '../testing/analyzer-test-app';
import { lateViewRule } from '../testing/test-rules';
import { CoverageService } from '../ledger/coverage.service';
import { AnalysisService } from './analysis.service';

describe('AnalysisService (real ClickHouse)', () => {
  let store: TestStore;
  let app: INestApplicationContext;

  beforeAll(async () => {
    store = await openTestStore();
    app = await openAnalyzerApp(store, { rules: [lateViewRule()], now: '2025-04-20T10:00:00+09:00' });
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  const analysis = () => app.get(AnalysisService);
  const findings = () => app.get(FindingsService);

  it('stores one finding per (rule, subject, day) with params, version, window and evidence', async () => {
    await insertEvents(store, [
      { id: 'a1', ts: '2025-04-14 21:00:00.000', user: 'K000001' },
      { id: 'a2', ts: '2025-04-14 22:30:00.000', user: 'K000001' },
      { id: 'a3', ts: '2025-04-14 10:00:00.000', user: 'K000001' },
      { id: 'a4', ts: '2025-04-15 23:59:59.000', user: 'K000002' },
      { id: 'a5', ts: '2025-04-16 00:10:00.000', user: 'K000002' }, // after midnight JST: 04-16, not 04-15
    ]);
    const result = await analysis().analyze({ fromDay: '2025-04-14', toDay: '2025-04-16' });
    expect(result.rules).toEqual([expect.objectContaining({ rule: 'test-late-view', findings: 2 })]);

    const list = await findings().list({});
    expect(list.map((f) => [f.day, f.userId, f.count])).toEqual([
      ['2025-04-15', 'K000002', 1],
      ['2025-04-14', 'K000001', 2],
    ]);
    const f = list[1];
    expect(f.id).toBe(findingId('test-late-view', 'K000001', '2025-04-14'));
    expect(f).toMatchObject({
      rule: 'test-late-view',
      ruleTitle: '夜間の照会（テスト用）',
      ruleVersion: 1,
      severity: 'medium',
      status: 'new',
      params: { fromHour: 20 },
      window: { from: '2025-04-14 00:00:00.000', to: '2025-04-17 00:00:00.000' },
      firstAt: '2025-04-14 21:00:00.000',
      lastAt: '2025-04-14 22:30:00.000',
      evidenceTotal: 2,
    });
    expect([...f.evidenceIds].sort()).toEqual(['a1', 'a2'].map((id) => id.padEnd(32, '0')));
  });

  it('re-analysing after late logs updates the finding, keeps its triage and never duplicates it', async () => {
    const id = findingId('test-late-view', 'K000001', '2025-04-14');
    const before = await findings().get(id);
    await findings().transition(id, 'reviewing', 'sato', '確認を開始');
    await insertEvents(store, [{ id: 'a6', ts: '2025-04-14 23:00:00.000', user: 'K000001' }]);

    await analysis().analyze({ fromDay: '2025-04-14', toDay: '2025-04-14' });
    await analysis().analyze({ fromDay: '2025-04-14', toDay: '2025-04-16' });

    const all = await findings().list({});
    expect(all.filter((f) => f.id === id)).toHaveLength(1);
    const after = await findings().get(id);
    expect(after).toMatchObject({ count: 3, evidenceTotal: 3, status: 'reviewing', reviewedBy: 'sato', detectedAt: before!.detectedAt });
    expect(after!.history).toEqual([expect.objectContaining({ by: 'sato', from: 'new', to: 'reviewing', comment: '確認を開始' })]);
  });

  it('keeps the first 1000 event IDs as evidence, with the total', async () => {
    const many = Array.from({ length: 1200 }, (_, i) => ({
      id: `m${i}`,
      ts: `2025-04-17 20:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.000`,
      user: 'K000003',
    }));
    await insertEvents(store, many);
    await analysis().analyze({ fromDay: '2025-04-17', toDay: '2025-04-17' });
    const [f] = await findings().list({ userId: 'K000003' });
    expect(f.count).toBe(1200);
    expect(f.evidenceTotal).toBe(1200);
    expect(f.evidenceIds).toHaveLength(1000);
  });

  it('filters findings by day, rule, user and status', async () => {
    expect((await findings().list({ from: '2025-04-15', to: '2025-04-15' })).map((f) => f.userId)).toEqual(['K000002']);
    expect(await findings().list({ rules: ['other-rule'] })).toEqual([]);
    expect((await findings().list({ statuses: ['reviewing'] })).map((f) => f.userId)).toEqual(['K000001']);
    expect((await findings().list({ statuses: ['new'] })).map((f) => f.userId).sort()).toEqual(['K000002', 'K000003']);
  });

  it('rejects unknown rules and bad days with a clear message', async () => {
    await expect(analysis().analyze({ fromDay: '2025-04-14', toDay: '2025-04-14', rules: ['no-such-rule'] })).rejects.toThrow(
      /unknown rule no-such-rule; known rules: test-late-view/,
    );
    await expect(analysis().analyze({ fromDay: '2025-02-30', toDay: '2025-04-14' })).rejects.toThrow(/--from: "2025-02-30"/);
    await expect(analysis().analyze({ fromDay: '2025-04-15', toDay: '2025-04-14' })).rejects.toThrow(/after --to/);
  });
});

describe('re-analysis with a changed rule (real ClickHouse)', () => {
  let store: TestStore;

  beforeAll(async () => {
    store = await openTestStore();
  });
  afterAll(async () => store?.close());

  it('withdraws untriaged findings the data no longer supports, and keeps triaged ones', async () => {
    await insertEvents(store, [
      { id: 'b1', ts: '2025-05-01 20:30:00.000', user: 'K000010' },
      { id: 'b2', ts: '2025-05-01 20:40:00.000', user: 'K000011' },
      { id: 'b3', ts: '2025-05-01 22:00:00.000', user: 'K000012' },
    ]);
    const v1 = await openAnalyzerApp(store, { rules: [lateViewRule(1, 20)] });
    await v1.get(AnalysisService).analyze({ fromDay: '2025-05-01', toDay: '2025-05-01' });
    const triaged = findingId('test-late-view', 'K000011', '2025-05-01');
    await v1.get(FindingsService).transition(triaged, 'reviewing', 'suzuki', '');
    await v1.close();

    const v2 = await openAnalyzerApp(store, { rules: [lateViewRule(2, 21)] });
    const result = await v2.get(AnalysisService).analyze({ fromDay: '2025-05-01', toDay: '2025-05-01' });
    expect(result.rules[0]).toMatchObject({ findings: 1, withdrawn: 1 });
    const list = await v2.get(FindingsService).list({});
    expect(list.map((f) => [f.userId, f.ruleVersion, f.status])).toEqual([
      ['K000011', 1, 'reviewing'],
      ['K000012', 2, 'new'],
    ]);
    await v2.close();
  });

  it('runs the other rules when one fails, names the failed rule, and leaves its days due', async () => {
    const broken = {
      ...lateViewRule(),
      id: 'test-broken',
      query: () => ({ query: 'SELECT no_such_column FROM events', query_params: {} }),
    };
    const app = await openAnalyzerApp(store, { rules: [broken, lateViewRule(3, 21)] });
    await expect(app.get(AnalysisService).analyze({ fromDay: '2025-05-01', toDay: '2025-05-01' })).rejects.toThrow(
      /rule test-broken failed for 2025-05-01\.\.2025-05-01/,
    );
    const cells = await app.get(CoverageService).assess('2025-05-01', '2025-05-01');
    expect(cells.map((c) => `${c.rule}:${c.state}`)).toEqual(['test-broken:never', 'test-late-view:analysed']);
    expect((await app.get(FindingsService).list({})).find((f) => f.userId === 'K000012')).toMatchObject({ ruleVersion: 3 });
    await app.close();
  });
});
