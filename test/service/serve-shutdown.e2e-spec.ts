import { hashToken } from '@kansa/service-shell';
import { openClickHouse, TABLES } from '@kansa/storage';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chukanRecords } from './fixtures';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

const ROOT = join(__dirname, '..', '..');
const KANSA = join(ROOT, 'bin', 'kansa.js');
const TOKEN = 'kansa_test-sender-token';

/** `kansa serve` as staff run it: a child process, stopped with SIGTERM. */
describe('kansa serve: the command, graceful SIGTERM', () => {
  let dir: string;
  let siteFile: string;

  beforeAll(() => {
    dir = scratchDir('serve');
    siteFile = join(dir, 'site.yaml');
    writeFileSync(
      siteFile,
      [
        'http:',
        '  tokens:',
        `    - { name: sender-1, role: ingest, sha256: ${hashToken(TOKEN)} }`,
        'analyzer:',
        '  catchUpOnStart: false',
        '',
      ].join('\n'),
    );
  });

  it('refuses --only in embedded mode and says why', () => {
    const r = spawnSync(process.execPath, [KANSA, 'serve', '--only', 'collector', '--data-dir', join(dir, 'data-only')], {
      encoding: 'utf8',
      cwd: ROOT,
      timeout: 60_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--only collector');
    expect(r.stderr).toContain('ClickHouse');
  });

  it('on SIGTERM finishes the batch in flight, answers it, closes storage and exits 0', async () => {
    const dataDir = join(dir, 'data');
    const child = spawn(process.execPath, [KANSA, 'serve', '--data-dir', dataDir, '--config', siteFile, '--port', '0'], {
      cwd: ROOT,
      env: { ...process.env, CLICKHOUSE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = collect(child);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const url = await waitFor(out, /http:\/\/127\.0\.0\.1:\d+/, 60_000);

    const records = chukanRecords(5000, { day: '2025-04-22' });
    const inFlight = fetch(`${url}/api/ingest/chukan`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(records),
    });
    await new Promise((r) => setTimeout(r, 150)); // the request is being processed
    child.kill('SIGTERM');
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ read: 5000, stored: 5000 });
    expect(await exited).toBe(0);
    expect(out.text).toContain('SIGTERM');
    expect(out.text).toContain('停止しました');
    // Storage was closed: another process can open the directory, and everything acknowledged is there.
    const client = await openClickHouse({ dataDir });
    try {
      const rows = await (
        await client.query({ query: `SELECT count() AS n FROM ${TABLES.events}`, format: 'JSONEachRow' })
      ).json<{ n: string }>();
      expect(Number(rows[0].n)).toBe(5000);
    } finally {
      await client.close();
    }
  });
});

function collect(child: ChildProcess): { text: string } {
  const out = { text: '' };
  child.stdout?.on('data', (d) => (out.text += d));
  child.stderr?.on('data', (d) => (out.text += d));
  return out;
}

async function waitFor(out: { text: string }, pattern: RegExp, timeoutMs: number): Promise<string> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const m = pattern.exec(out.text);
    if (m) return m[0];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`service did not start: ${out.text}`);
}
