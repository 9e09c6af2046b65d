import { hashToken } from '@kansa/service-shell';
import { migrate, openClickHouse, TABLES } from '@kansa/storage';
import { join } from 'node:path';
import { findingRow } from '../service/fixtures';
import { queryDataDir, report, ServiceProcess, startKansaServe, writeSiteConfig } from './fault-harness';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

jest.setTimeout(300_000);

const REVIEWERS = ['sato', 'suzuki', 'takahashi', 'tanaka'];
const token = (name: string) => `kansa_triage-race-${name}`;

interface TransitionAnswer {
  reviewer: string;
  status: number;
  body: {
    status?: string;
    reviewedBy?: string;
    reviewedAt?: string;
    message?: string;
    current?: { status: string; reviewedBy: string | null; reviewedAt: string | null };
  };
}

/**
 * Four reviewers deciding the same finding at the same moment, over HTTP
 * against a running `kansa serve`: exactly one wins (200), the three others
 * get 409 with the current state, and the history holds one transition per
 * decision.
 */
describe('concurrent triage over HTTP (kansa serve)', () => {
  const work = scratchDir('triage-race');
  const dataDir = join(work, 'data');
  const id = 'd'.repeat(32);
  let service: ServiceProcess;
  let url: string;

  beforeAll(async () => {
    // A finding to triage, stored before the service starts (the service then owns the directory).
    const client = await openClickHouse({ dataDir });
    try {
      await migrate(client);
      await client.insert({ table: TABLES.findings, values: [findingRow(id, 'mass-lookup', 'high', 'K001123')], format: 'JSONEachRow' });
    } finally {
      await client.close();
    }
    const config = writeSiteConfig(work, {
      http: { tokens: REVIEWERS.map((name) => ({ name, role: 'triage', sha256: hashToken(token(name)) })) },
      analyzer: { catchUpOnStart: false },
    });
    ({ service, url } = await startKansaServe(['--data-dir', dataDir, '--config', config], { CLICKHOUSE_URL: '' }));
  });
  afterAll(async () => {
    if (service?.child.exitCode === null) await service.kill();
  });

  /** The four reviewers post their decision at once. */
  async function decideAtOnce(decisions: Array<{ to: string; comment: string }>): Promise<TransitionAnswer[]> {
    return Promise.all(
      REVIEWERS.map(async (reviewer, i) => {
        const res = await fetch(`${url}/api/findings/${id}/transition`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token(reviewer)}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(decisions[i]),
        });
        return { reviewer, status: res.status, body: (await res.json()) as TransitionAnswer['body'] };
      }),
    );
  }

  function expectOneWinner(answers: TransitionAnswer[], state: string): TransitionAnswer {
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409, 409]);
    const winner = answers.find((a) => a.status === 200)!;
    expect(winner.body).toMatchObject({ status: state, reviewedBy: winner.reviewer });
    for (const loser of answers.filter((a) => a.status === 409)) {
      expect(loser.body.current).toEqual(
        expect.objectContaining({ status: state, reviewedBy: winner.reviewer, reviewedAt: winner.body.reviewedAt }),
      );
      expect(loser.body.message).toContain(`now ${state} by ${winner.reviewer} at ${loser.body.current!.reviewedAt}`);
    }
    return winner;
  }

  it('four reviewers at once: one 200, three 409 naming the state, who and when; one history row per decision', async () => {
    const opened = await decideAtOnce(REVIEWERS.map(() => ({ to: 'reviewing', comment: '確認開始' })));
    const first = expectOneWinner(opened, 'reviewing');

    const decided = await decideAtOnce([
      { to: 'no_issue', comment: '窓口延長（課長確認済）' },
      { to: 'false_positive', comment: '検知条件の誤り' },
      { to: 'action_required', comment: '本人に確認する' },
      { to: 'no_issue', comment: '業務上必要' },
    ]);
    const statuses = decided.filter((a) => a.status === 200).map((a) => a.body.status);
    expect(statuses).toHaveLength(1);
    const second = expectOneWinner(decided, statuses[0]!);

    const detail = (await (await fetch(`${url}/api/findings/${id}`, { headers: { Authorization: `Bearer ${token('sato')}` } })).json()) as {
      status: string;
      history: Array<{ from: string; to: string; by: string }>;
    };
    expect(detail.status).toBe(second.body.status);
    expect(detail.history.map((h) => [h.from, h.to, h.by])).toEqual([
      ['new', 'reviewing', first.reviewer],
      ['reviewing', second.body.status, second.reviewer],
    ]);

    expect(await service.stop()).toBe(0);
    const stored = await queryDataDir<{ by: string; to_status: string }>(
      dataDir,
      `SELECT by, to_status FROM ${TABLES.findingTransitions} ORDER BY seq`,
    );
    expect(stored.map((r) => [r.by, r.to_status])).toEqual([
      [first.reviewer, 'reviewing'],
      [second.reviewer, second.body.status],
    ]);
    report('triage-race', {
      round1: opened.map((a) => `${a.reviewer}:${a.status}`),
      round2: decided.map((a) => `${a.reviewer}:${a.status}`),
      storedTransitions: stored.length,
    });
  });
});
