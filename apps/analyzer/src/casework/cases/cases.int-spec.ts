import { INestApplicationContext } from '@nestjs/common';
import { openTestStore, TestStore } from '@kansa/test-kit';
import { findingId } from '../../findings/finding-id';
import { FindingsRepository } from '../../findings/findings.repository';
import type { FindingRecord } from '../../findings/findings.types';
import { openAnalyzerApp } from '../../testing/analyzer-test-app';
import { CasesService } from './cases.service';
import { CaseworkRequestError } from '../casework-request.error';

/** A stored finding of a rule for a user on a day (what the analyzer would have stored). */
function finding(rule: string, userId: string, day: string): FindingRecord {
  const id = findingId(rule, userId, day);
  return {
    findingId: id,
    rule,
    ruleVersion: 1,
    severity: 'high',
    day,
    userId,
    subject: userId,
    count: 1,
    firstAt: null,
    lastAt: null,
    summary: `${rule} ${userId}`,
    details: {},
    evidenceIds: [],
    evidenceTotal: 0,
    params: {},
    windowFrom: `${day} 00:00:00.000`,
    windowTo: `${day} 00:00:00.000`,
    runId: 'test',
    detectedAt: `${day} 10:00:00.000`,
    updatedAt: `${day} 10:00:00.000`,
    exception: null,
  };
}

describe('cases per person (事案) and repeat patterns (継続監視対象)', () => {
  let store: TestStore;
  let app: INestApplicationContext;
  const cases = () => app.get(CasesService);
  const findings = [
    // K000501: findings in three of the last six months (Feb, Apr, Jun 2025), two rules in June.
    finding('off-hours', 'K000501', '2025-02-12'),
    finding('mass-lookup', 'K000501', '2025-04-03'),
    finding('off-hours', 'K000501', '2025-06-05'),
    finding('self-lookup', 'K000501', '2025-06-20'),
    // K000502: once, in June.
    finding('off-hours', 'K000502', '2025-06-09'),
    // K000503: three months, but the oldest is seven months before June (outside the window).
    finding('off-hours', 'K000503', '2024-11-12'),
    finding('off-hours', 'K000503', '2025-03-12'),
    finding('off-hours', 'K000503', '2025-06-12'),
  ];

  beforeAll(async () => {
    store = await openTestStore();
    app = await openAnalyzerApp(store, { now: '2025-07-02T09:00:00+09:00' });
    await app.get(FindingsRepository).upsert(findings);
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  it('follows a person across months: opened with findings, noted, investigated, closed with the outcome; the timeline keeps every step', async () => {
    const opened = await cases().open({
      userId: 'K000501',
      title: '時間外・大量照会の継続',
      owner: '監査 鈴木',
      by: '監査 鈴木',
      findingIds: [findings[0].findingId, findings[1].findingId],
    });
    expect({ state: opened.state, findings: opened.findingIds.length, owner: opened.owner }).toEqual({
      state: 'open',
      findings: 2,
      owner: '監査 鈴木',
    });
    // Two officers adding notes at once: both kept, in order.
    await Promise.all([cases().note(opened.id, '本人に聴取予定', '監査 鈴木'), cases().note(opened.id, '所属長に連絡済み', '監査 高橋')]);
    await cases().link(opened.id, [findings[2].findingId], '監査 鈴木');
    await expect(cases().link(opened.id, [findings[4].findingId], '監査 鈴木')).rejects.toThrow(/この職員の検知結果ではありません/);
    await cases().setState(opened.id, 'investigating', '監査 鈴木');
    await expect(cases().setState(opened.id, 'closed', '監査 鈴木')).rejects.toThrow(/結果を記入/);
    const closed = await cases().setState(opened.id, 'closed', '監査 鈴木', '業務上の必要を確認。注意喚起で終結');
    expect({ state: closed.state, outcome: closed.outcome, findings: closed.findingIds.length }).toEqual({
      state: 'closed',
      outcome: '業務上の必要を確認。注意喚起で終結',
      findings: 3,
    });
    expect(closed.timeline.map((e) => e.kind)).toEqual(['opened', 'link', 'link', 'note', 'note', 'link', 'state', 'state']);
    expect(closed.timeline.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const conflict = await cases()
      .setState(opened.id, 'closed', '監査 鈴木', 'again')
      .catch((e: CaseworkRequestError) => e);
    expect({ kind: (conflict as CaseworkRequestError).kind, message: (conflict as Error).message }).toMatchObject({
      kind: 'conflict',
      message: expect.stringContaining('終結'),
    });
  });

  it('names who to keep watching, and why: three months of six, or two rules in one month', async () => {
    const patterns = await cases().patterns('2025-06');
    expect(patterns.map((p) => [p.userId, p.reasons])).toEqual([
      [
        'K000501',
        [
          '直近6か月のうち3か月で検知（2025-02、2025-04、2025-06）',
          '2025-06 に2種類のルールで検知（時間外アクセス、本人・同一世帯の照会）',
        ],
      ],
    ]);
  });
});
