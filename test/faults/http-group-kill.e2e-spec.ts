import { hashToken } from '@kansa/service-shell';
import { join } from 'node:path';
import { juminLine } from '../kit/jumin-lines';
import { queryDataDir, runKansa, ServiceProcess, startKansaServe, storedCounts, writeSiteConfig } from './fault-harness';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

jest.setTimeout(600_000);

const SENDERS = 8;
const LINES = 50;
const TOKEN = 'kansa_group-kill-sender';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * kill -9 of `kansa serve` in the middle of a shared commit (group commit of
 * concurrent HTTP requests, docs/collector.md): SENDERS senders post a batch
 * each at once; the process kills itself right after the events insert of its
 * second commit (ingest.faults.killAfterEventsInsert — the first request is
 * committed alone, the ones that arrived meanwhile share the second), so none
 * of that group is answered. The senders resend to the restarted service:
 * every line is stored exactly once and the chain verifies.
 */
describe('kansa serve killed in the middle of a group commit', () => {
  const work = scratchDir('group-kill');
  const dataDir = join(work, 'data');
  const config = writeSiteConfig(work, {
    http: { retryAfterSeconds: 1, maxInflightRequests: 32, tokens: [{ name: 'shipper', role: 'ingest', sha256: hashToken(TOKEN) }] },
    analyzer: { catchUpOnStart: false },
  });
  let service: ServiceProcess | undefined;
  afterAll(async () => {
    if (service?.child.exitCode === null) await service.kill();
  });

  it('nothing acknowledged is lost, nothing resent is stored twice, the recovered shared batch is recorded whole', async () => {
    let started = await startKansaServe(['--data-dir', dataDir, '--config', config], {
      CLICKHOUSE_URL: '',
      KANSA_FAULT_KILL_AFTER_EVENTS_INSERT: '2',
    });
    service = started.service;
    let url = started.url;
    const killed = service.child.exitCode === null ? new Promise((r) => service!.child.once('exit', r)) : Promise.resolve();
    const answers: Array<{ stored: number; duplicates: number; attempts: number }> = [];
    /** A log shipper: resends its batch until it is acknowledged (after a broken connection, to wherever the service is now). */
    const send = async (s: number) => {
      const body = JSON.stringify({ lines: Array.from({ length: LINES }, (_, i) => juminLine(s * 1000 + i)) });
      for (let attempts = 1; ; attempts++) {
        try {
          const res = await fetch(`${url}/api/ingest/jumin`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
            body,
          });
          const answer = (await res.json()) as { stored: number; duplicates: number };
          if (res.status === 200) {
            answers.push({ stored: answer.stored, duplicates: answer.duplicates, attempts });
            return;
          }
          if (res.status !== 503) throw new Error(`unexpected ${res.status}: ${JSON.stringify(answer)}`);
        } catch (err) {
          if ((err as Error).message.startsWith('unexpected')) throw err;
        }
        await sleep(1000);
      }
    };
    const sending = Promise.all(Array.from({ length: SENDERS }, (_, s) => send(s)));
    await killed;
    expect(service.child.signalCode).toBe('SIGKILL');
    // The next process on the same data directory, without the fault.
    started = await startKansaServe(['--data-dir', dataDir, '--config', config], { CLICKHOUSE_URL: '' });
    service = started.service;
    url = started.url;
    await sending;
    expect(await service.stop()).toBe(0);

    // Every sender acknowledged with all its lines accounted for; some only after resending into duplicates.
    expect(answers).toHaveLength(SENDERS);
    for (const a of answers) expect(a.stored + a.duplicates).toBe(LINES);
    expect(answers.filter((a) => a.attempts > 1 && a.duplicates === LINES).length).toBeGreaterThan(1);
    const counts = await storedCounts(dataDir, 'jumin');
    expect({ rows: counts.rows, distinct: counts.distinctEvents }).toEqual({ rows: SENDERS * LINES, distinct: SENDERS * LINES });
    // The shared batch the kill interrupted was completed by the next process: one ledger row for several senders' lines.
    const batches = await queryDataDir<{ origin: string; lines_read: number; stored: number }>(
      dataDir,
      "SELECT origin, lines_read, stored FROM import_batches WHERE source = 'jumin' AND stored > 0 ORDER BY seq",
    );
    expect(batches[1].lines_read).toBeGreaterThan(LINES);
    expect(batches[1].stored).toBe(batches[1].lines_read);
    const verify = runKansa(['verify', '--data-dir', dataDir, '--json']);
    expect(await verify.exited).toBe(0);
  });
});
