import { INestApplicationContext } from '@nestjs/common';
import { openTestStore, TestStore } from '@kansa/test-kit';
import { AnalysisService } from '../detection/analysis.service';
import { insertEvents, openAnalyzerApp } from '../testing/analyzer-test-app';
import { lateViewRule } from '../testing/test-rules';
import { findingId } from './finding-id';
import { FINDINGS_SERVICE, FindingsServicePort } from './findings.types';

describe('FindingsService triage (real ClickHouse)', () => {
  let store: TestStore;
  let app: INestApplicationContext;
  let service: FindingsServicePort;
  const id = findingId('test-late-view', 'K000001', '2025-04-14');

  beforeAll(async () => {
    store = await openTestStore();
    app = await openAnalyzerApp(store, { rules: [lateViewRule()] });
    service = app.get(FINDINGS_SERVICE);
    await insertEvents(store, [{ id: 'a1', ts: '2025-04-14 21:00:00.000', user: 'K000001' }]);
    await app.get(AnalysisService).analyze({ fromDay: '2025-04-14', toDay: '2025-04-14' });
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  it('follows new → reviewing → decision → closed, recording who, when and why', async () => {
    expect((await service.transition(id, 'reviewing', 'tanaka', '')).status).toBe('reviewing');
    const decided = await service.transition(id, 'no_issue', 'tanaka', '窓口業務の延長（課長確認済）');
    expect(decided).toMatchObject({ status: 'no_issue', reviewedBy: 'tanaka', comment: '窓口業務の延長（課長確認済）' });
    await service.transition(id, 'closed', 'yamada', '完了');
    const f = await service.get(id);
    expect(f!.history.map((h) => [h.from, h.to, h.by])).toEqual([
      ['new', 'reviewing', 'tanaka'],
      ['reviewing', 'no_issue', 'tanaka'],
      ['no_issue', 'closed', 'yamada'],
    ]);
    const times = f!.history.map((h) => h.at);
    expect([...times].sort()).toEqual(times);
    expect(new Set(times).size).toBe(3);
  });

  it('refuses transitions the state machine does not allow, and keeps the history unchanged', async () => {
    await expect(service.transition(id, 'reviewing', 'tanaka', '再確認')).rejects.toThrow(/cannot change closed → reviewing/);
    expect((await service.get(id))!.history).toHaveLength(3);
  });

  it('requires a reviewer, a comment for a decision, a known state and an existing finding', async () => {
    const other = findingId('test-late-view', 'K999999', '2025-04-14');
    await expect(service.transition(other, 'reviewing', 'tanaka', '')).rejects.toThrow(/not found/);
    await expect(service.transition(id, 'bogus' as never, 'tanaka', '')).rejects.toThrow(/unknown state/);
    await expect(service.transition(id, 'reviewing', ' ', '')).rejects.toThrow(/担当者/);
    await expect(service.transition(id, 'false_positive', 'tanaka', '')).rejects.toThrow(/comment is required/);
    expect(await service.get('not-an-id')).toBeNull();
  });
});
