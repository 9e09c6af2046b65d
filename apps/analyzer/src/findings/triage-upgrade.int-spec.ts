import { ClickHouseClient } from '@clickhouse/client';
import { migrate, MIGRATIONS_DIR, openClickHouse, TABLES } from '@kansa/storage';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '../core/clock';
import { findingId } from './finding-id';
import { FindingConflictError } from './findings.errors';
import { FindingsRepository } from './findings.repository';
import { FindingsService } from './findings.service';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

/**
 * A data directory written by a kansa before the triage compare-and-set
 * (migrations up to 07x, transitions without place or id) is upgraded by
 * migration 080: its history is kept as it was shown, and new transitions
 * continue it with the compare-and-set.
 */
describe('triage compare-and-set on an upgraded data directory', () => {
  const dir = scratchDir('upgrade');
  const dataDir = join(dir, 'data');
  const id = findingId('mass-lookup', 'K000777', '2025-04-15');
  let client: ClickHouseClient;

  beforeAll(async () => {
    // The schema as it was before 080, with a triaged finding in it.
    const before = join(dir, 'migrations-before-080');
    mkdirSync(before);
    for (const f of readdirSync(MIGRATIONS_DIR).filter((f) => /^0[0-7]\d_.*\.sql$/.test(f)))
      copyFileSync(join(MIGRATIONS_DIR, f), join(before, f));
    client = await openClickHouse({ dataDir });
    await migrate(client, before);
    await client.insert({ table: TABLES.findings, format: 'JSONEachRow', values: [finding(id)] });
    await client.insert({
      table: TABLES.findingTransitions,
      format: 'JSONEachRow',
      values: [
        { finding_id: id, at: '2025-05-01 09:00:00.000', by: 'tanaka', from_status: 'new', to_status: 'reviewing', comment: '' },
        {
          finding_id: id,
          at: '2025-05-01 10:00:00.000',
          by: 'tanaka',
          from_status: 'reviewing',
          to_status: 'no_issue',
          comment: '窓口延長',
        },
      ],
    });
    expect(await migrate(client)).toContain('080_triage_compare_and_set');
  });
  afterAll(async () => {
    await client?.close();
  });

  const service = () => new FindingsService(new FindingsRepository(client), [], systemClock);

  it('keeps the history written before the upgrade, and its current state', async () => {
    const f = await service().get(id);
    expect(f).toMatchObject({ status: 'no_issue', reviewedBy: 'tanaka', comment: '窓口延長' });
    expect(f!.history.map((h) => [h.from, h.to])).toEqual([
      ['new', 'reviewing'],
      ['reviewing', 'no_issue'],
    ]);
  });

  it('continues it with the compare-and-set: four processes reopening at once → one wins, after the old rows', async () => {
    const processes = [service(), service(), service(), service()];
    const settled = await Promise.allSettled(processes.map((p, i) => p.transition(id, 'reviewing', `reviewer-${i}`, '')));
    const won = settled.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of settled.filter((r) => r.status === 'rejected'))
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(FindingConflictError);
    const rows = await (
      await client.query({
        query: `SELECT seq, by, to_status FROM ${TABLES.findingTransitions} WHERE finding_id = {id:String} ORDER BY seq, at`,
        query_params: { id },
        format: 'JSONEachRow',
      })
    ).json<{ seq: number; by: string; to_status: string }>();
    const winner = (won[0] as PromiseFulfilledResult<{ reviewedBy: string }>).value.reviewedBy;
    expect(rows.map((r) => [Number(r.seq), r.by, r.to_status])).toEqual([
      [0, 'tanaka', 'reviewing'],
      [0, 'tanaka', 'no_issue'],
      [3, winner, 'reviewing'],
    ]);
    expect((await service().get(id))!.history.map((h) => h.to)).toEqual(['reviewing', 'no_issue', 'reviewing']);
  });

  it('keeps the deduplication setting in the data directory (a reopened engine still drops a second row at a place)', async () => {
    await client.close();
    client = await openClickHouse({ dataDir });
    const repo = new FindingsRepository(client);
    const late = {
      findingId: id,
      seq: 3,
      transitionId: 'late',
      at: '2025-05-02 09:00:00.000',
      by: 'late',
      from: 'no_issue' as const,
      to: 'reviewing' as const,
      comment: '',
    };
    expect(await repo.appendTransition(late)).toBe(false);
    expect((await repo.history(id)).map((h) => h.by)).not.toContain('late');
  });
});

function finding(id: string): Record<string, unknown> {
  return {
    finding_id: id,
    rule: 'mass-lookup',
    rule_version: 1,
    severity: 'high',
    day: '2025-04-15',
    user_id: 'K000777',
    subject: '',
    count: 120,
    first_at: null,
    last_at: null,
    summary: '照会 120 件',
    details: '{}',
    evidence_ids: [],
    evidence_total: 0,
    params: '{}',
    window_from: '2025-04-15 00:00:00.000',
    window_to: '2025-04-16 00:00:00.000',
    run_id: 'old',
    detected_at: '2025-04-16 02:00:00.000',
    updated_at: '2025-04-16 02:00:00.000',
  };
}
