import { ClickHouseClient } from '@clickhouse/client';
import { INestApplicationContext } from '@nestjs/common';
import { TABLES } from '@kansa/storage';
import { openTestStore, TestStore } from '@kansa/test-kit';
import { systemClock } from '../core/clock';
import { AnalysisService } from '../detection/analysis.service';
import { RULE_CATALOG } from '../detection/rule-catalog';
import { insertEvents, openAnalyzerApp } from '../testing/analyzer-test-app';
import { lateViewRule } from '../testing/test-rules';
import { findingId } from './finding-id';
import { FindingConflictError } from './findings.errors';
import { FindingsRepository } from './findings.repository';
import { FindingsService } from './findings.service';
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
    await insertEvents(store, [
      { id: 'a1', ts: '2025-04-14 21:00:00.000', user: 'K000001' },
      { id: 'a2', ts: '2025-04-14 21:00:00.000', user: 'K000002' },
      { id: 'a3', ts: '2025-04-14 21:00:00.000', user: 'K000003' },
    ]);
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

  it('leaves the connection as it was: inserts after a transition are not deduplicated against its token', async () => {
    // The embedded engine turns per-query settings into session-wide SETs; the place token must not leak.
    const finding = findingId('test-late-view', 'K000001', '2025-04-14');
    expect((await service.get(finding))!.history.length).toBeGreaterThan(0);
    const [setting] = await store.rows<{ value: string }>("SELECT value FROM system.settings WHERE name = 'insert_deduplication_token'");
    expect(setting.value).toBe('');
    await insertEvents(store, [{ id: 'after-1', ts: '2025-04-13 21:00:00.000', user: 'K000009' }]);
    await insertEvents(store, [{ id: 'after-2', ts: '2025-04-13 21:00:01.000', user: 'K000009' }]);
    const [{ n }] = await store.rows<{ n: string }>("SELECT count() AS n FROM events WHERE user_id = 'K000009'");
    expect(Number(n)).toBe(2);
  });

  describe('concurrent triage: exactly one of several reviewers wins', () => {
    const REVIEWERS = ['sato', 'suzuki', 'takahashi', 'tanaka'];

    /** Settled results: the winners' views and the losers' conflicts. */
    async function race(attempts: Array<Promise<unknown>>): Promise<{ won: unknown[]; conflicts: FindingConflictError[] }> {
      const settled = await Promise.allSettled(attempts);
      const won = settled.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<unknown>).value);
      const failed = settled.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason as Error);
      for (const err of failed) expect(err).toBeInstanceOf(FindingConflictError);
      return { won, conflicts: failed as FindingConflictError[] };
    }

    const storedRows = async (finding: string) =>
      Number(
        (
          await store.rows<{ n: string }>(`SELECT count() AS n FROM ${TABLES.findingTransitions} WHERE finding_id = {id:String}`, {
            id: finding,
          })
        )[0].n,
      );

    it('in one process: four reviewers at once → one transition, three conflicts naming the current state', async () => {
      const finding = findingId('test-late-view', 'K000002', '2025-04-14');
      const { won, conflicts } = await race(REVIEWERS.map((by) => service.transition(finding, 'reviewing', by, '')));
      expect(won).toHaveLength(1);
      expect(conflicts).toHaveLength(3);
      const winner = (won[0] as { reviewedBy: string }).reviewedBy;
      for (const c of conflicts) {
        expect(c.current).toMatchObject({ status: 'reviewing', reviewedBy: winner });
        expect(c.message).toMatch(new RegExp(`now reviewing by ${winner} at `));
      }
      const f = await service.get(finding);
      expect(f!.history.map((h) => [h.from, h.to, h.by])).toEqual([['new', 'reviewing', winner]]);
      expect(await storedRows(finding)).toBe(1);

      // Then four different decisions at once: one is recorded, and the state is that one.
      const decisions = ['no_issue', 'false_positive', 'action_required', 'no_issue'] as const;
      const second = await race(decisions.map((to, i) => service.transition(finding, to, REVIEWERS[i], `判断 ${i}`)));
      expect(second.won).toHaveLength(1);
      const decided = second.won[0] as { status: string; reviewedBy: string };
      for (const c of second.conflicts) expect(c.current).toMatchObject({ status: decided.status, reviewedBy: decided.reviewedBy });
      const after = await service.get(finding);
      expect(after!.status).toBe(decided.status);
      expect(after!.history.map((h) => h.to)).toEqual(['reviewing', decided.status]);
      expect(await storedRows(finding)).toBe(2);
    });

    it('across processes (no shared lock): all read "new" before any writes, the place in the history decides', async () => {
      const finding = findingId('test-late-view', 'K000003', '2025-04-14');
      // Four services with their own queue — four kansa processes on one ClickHouse server —
      // held at the insert until all four have read the state: the worst interleaving.
      const everyoneRead = barrier(REVIEWERS.length);
      class HeldRepository extends FindingsRepository {
        override async appendTransition(t: Parameters<FindingsRepository['appendTransition']>[0]): Promise<boolean> {
          await everyoneRead();
          return super.appendTransition(t);
        }
      }
      const processes = REVIEWERS.map(
        () => new FindingsService(new HeldRepository(store.client as ClickHouseClient), app.get(RULE_CATALOG), systemClock),
      );
      const { won, conflicts } = await race(processes.map((p, i) => p.transition(finding, 'reviewing', REVIEWERS[i], '')));
      expect(won).toHaveLength(1);
      expect(conflicts).toHaveLength(3);
      const winner = (won[0] as { reviewedBy: string }).reviewedBy;
      for (const c of conflicts) {
        expect(c.message).toMatch(/changed by someone else at the same time/);
        expect(c.current).toMatchObject({ status: 'reviewing', reviewedBy: winner });
      }
      expect(await storedRows(finding)).toBe(1);
      // Every reader agrees with the winner: the service in any process, and the list.
      for (const p of processes) expect((await p.get(finding))!.history.map((h) => h.by)).toEqual([winner]);
      const listed = (await service.list({ from: '2025-04-14', to: '2025-04-14' })).find((f) => f.id === finding);
      expect(listed).toMatchObject({ status: 'reviewing', reviewedBy: winner });
    });
  });
});

/** Resolves every caller's promise once `n` callers have arrived. */
function barrier(n: number): () => Promise<void> {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((resolve) => (release = resolve));
  return () => {
    if (++arrived === n) release();
    return all;
  };
}
