import { VerifyService } from '@kansa/integrity';
import { TABLES } from '@kansa/storage';
import { execFileSync } from 'node:child_process';
import { mkdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { chukanRecords } from './fixtures';
import { startTestService, TestService } from './service-harness';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

/**
 * A real storage fault during HTTP ingest: the embedded data directory lives
 * on its own small tmpfs, which is filled up (disk full — ClickHouse refuses
 * every write) while a sender keeps posting, then freed again. Needs root
 * (mount), as on the project's machines and CI.
 */
describe('kansa serve: storage unavailable during HTTP ingest (disk full)', () => {
  const BATCHES = 12;
  const PER_BATCH = 50;
  let mnt: string;
  let svc: TestService;
  const filler = () => join(mnt, 'filler');

  beforeAll(async () => {
    mnt = scratchDir('tmpfs');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=160m', 'tmpfs', mnt]);
    mkdirSync(join(mnt, 'data'));
    svc = await startTestService({ http: { retryAfterSeconds: 1 } }, join(mnt, 'data'));
  });
  afterAll(async () => {
    await svc?.close();
    execFileSync('umount', ['-l', mnt]);
  });

  it('answers 503 with Retry-After while the disk is full; the sender retries and exactly every line is stored once', async () => {
    const statuses: number[] = [];
    let retryAfter = '';
    let healthWhileFull = 0;
    let filled = false;
    for (let b = 0; b < BATCHES; b++) {
      if (b === 4) {
        try {
          execFileSync('dd', ['if=/dev/zero', `of=${filler()}`, 'bs=1M'], { stdio: 'ignore' });
        } catch {
          // dd stops with "No space left on device": that is the point.
        }
        filled = true;
      }
      const records = chukanRecords(PER_BATCH, { day: '2025-04-21', start: b * PER_BATCH });
      for (let attempt = 1; ; attempt++) {
        const res = await svc.request('/api/ingest/chukan', { method: 'POST', token: svc.tokens.ingest, json: records });
        statuses.push(res.status);
        if (res.status === 200) break;
        expect(res.status).toBe(503);
        retryAfter = res.headers.get('retry-after') ?? '';
        if (filled && attempt === 3) {
          healthWhileFull = (await svc.request('/health')).status;
          unlinkSync(filler()); // the operator frees the disk
          filled = false;
        }
        expect(attempt).toBeLessThan(20);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThanOrEqual(3);
    expect(retryAfter).toBe('1');
    expect(healthWhileFull).toBe(503);
    expect((await svc.request('/health')).status).toBe(200);

    const [events] = await svc.rows<{ n: string; ids: string }>(
      `SELECT count() AS n, uniqExact(event_id) AS ids FROM ${TABLES.events} WHERE source = 'chukan'`,
    );
    expect(Number(events.n)).toBe(BATCHES * PER_BATCH);
    expect(Number(events.ids)).toBe(BATCHES * PER_BATCH);
    const [batches] = await svc.rows<{ stored: string; read: string; quarantined: string }>(
      `SELECT sum(stored) AS stored, sum(lines_read) AS read, sum(quarantined) AS quarantined FROM ${TABLES.importBatches} WHERE source = 'chukan'`,
    );
    expect(Number(batches.stored)).toBe(BATCHES * PER_BATCH);
    expect(Number(batches.quarantined)).toBe(0);
    const [q] = await svc.rows<{ n: string }>(`SELECT count() AS n FROM ${TABLES.quarantine}`);
    expect(Number(q.n)).toBe(0);
    // The integrity chain holds over the batches stored before, during and after the fault.
    const verify = await svc.app.get(VerifyService).verify();
    expect(verify.ok).toBe(true);
    expect(verify.broken).toEqual([]);
  });
});
