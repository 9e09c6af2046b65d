import { generateToken, hashToken } from '@kansa/service-shell';
import { loadConfig } from '@kansa/config';
import { openClickHouse, readMigrations } from '@kansa/storage';
import { ClickHouseHttp, startClickHouseHttp } from '@kansa/test-kit/clickhouse-http';
import * as iconv from 'iconv-lite';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kansaRun, ServiceProcess, startKansaServe, writeSiteConfig } from '../faults/fault-harness';
import { chukanRecords } from '../service/fixtures';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

/**
 * Server mode (CLICKHOUSE_URL): every kansa process talks HTTP to one
 * ClickHouse, so several run at once — imports side by side, collectors
 * scaled out, the analyzer apart. The ClickHouse here is the real engine
 * behind the HTTP interface of test/kit/clickhouse-http.ts (no
 * clickhouse-server can be installed on these machines).
 */
jest.setTimeout(300_000);

const JUMIN_HEADER =
  '処理日時,職員ID,職員氏名,所属コード,所属名,端末ID,IPアドレス,画面ID,画面名,処理区分,宛名番号,個人番号表示,処理事由,対象件数,処理結果';
const jumin = (i: number) =>
  `2025/04/14 10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')},K00${1000 + (i % 7)},職員,100700,納税課,WS-1,10.0.0.1,JR0101,住民票照会,照会,${String(i).padStart(10, '0')},無,窓口,1,正常`;
const ATENA_HEADER = '照会日時,利用者ID,所属コード,端末名,業務コード,照会種別,統合宛名番号,該当件数,結果';
const atena = (i: number) =>
  `2025-04-14T11:00:${String(i % 60).padStart(2, '0')}.${String(i).padStart(3, '0')}+09:00,K001200,100700,WS-2,Z01,宛名照会,${String(i).padStart(15, '0')},1,OK`;

describe('server mode: several kansa processes on one ClickHouse', () => {
  let work: string;
  let ch: ClickHouseHttp;
  let env: Record<string, string>;
  const services: ServiceProcess[] = [];

  /** `kansa <args>` against the server; resolves with the exit code, its output and its JSON answer (stdout). */
  const kansa = async (args: string[], extra: Record<string, string> = {}) => {
    const ran = await kansaRun(args, { ...env, ...extra });
    return { ...ran, json: () => JSON.parse(ran.stdout) };
  };
  const count = async (sql: string) => Number((await ch.exec(sql)).trim());

  beforeAll(async () => {
    work = scratchDir('server-mode');
    ch = await startClickHouseHttp(join(work, 'clickhouse'));
    env = { CLICKHOUSE_URL: ch.url, CLICKHOUSE_DATABASE: 'kansa' };
  });
  afterAll(async () => {
    for (const s of services) await s.stop();
    await ch?.close();
  });

  it('several processes started at once on a new database all start: the migrations applied side by side end as one', async () => {
    // (before: one of three failed in about one round in six, "migration 240_events_raw_residual failed: Cannot
    // rename to raw_line", on what another had just done)
    for (let round = 0; round < 4; round++) {
      const database = `kansa_start_${round}`;
      const started = await Promise.all([0, 1, 2].map(() => kansa(['info'], { CLICKHOUSE_DATABASE: database })));
      expect(started.map((s) => (s.code === 0 ? 0 : s.output))).toEqual([0, 0, 0]);
      const recorded = await ch.exec(`SELECT DISTINCT name FROM ${database}.schema_migrations ORDER BY name FORMAT TSV`);
      expect(recorded.trim().split('\n')).toEqual(readMigrations().map((m) => m.name));
    }
  });

  it('gives a statement as long as storage.requestTimeoutSeconds allows (the client library alone gives up after 30 s)', async () => {
    expect(loadConfig({ env: {} }).storage.requestTimeoutSeconds).toBe(600);
    const open = (requestTimeoutSeconds: number) => openClickHouse({ url: ch.url, database: 'kansa', requestTimeoutSeconds });
    const slow = { query: 'SELECT sleep(2) AS s', format: 'JSONEachRow' } as const;
    const patient = await open(10);
    try {
      await expect((await patient.query(slow)).json()).resolves.toEqual([{ s: 0 }]);
    } finally {
      await patient.close();
    }
    // the check can fail: a limit shorter than the statement cuts it off
    const hasty = await open(1);
    try {
      await expect(hasty.query(slow)).rejects.toThrow(/timeout/i);
    } finally {
      await hasty.close();
    }
  });

  it('imports run side by side; a re-sent file is all duplicates; verify passes and names a tampered batch', async () => {
    const juminFile = join(work, 'JUMIN_OPLOG_20250414.csv');
    const bad = '2026/09/31 10:00:00' + jumin(0).slice(19);
    const quoted = jumin(1999).replace(',窓口,', ',"窓口, 再交付",');
    writeFileSync(
      juminFile,
      iconv.encode([JUMIN_HEADER, ...Array.from({ length: 1500 }, (_, i) => jumin(i)), bad, quoted].join('\r\n') + '\r\n', 'cp932'),
    );
    const atenaFile = join(work, 'ATENA_INQUIRY_20250414.csv');
    writeFileSync(atenaFile, '\uFEFF' + [ATENA_HEADER, ...Array.from({ length: 700 }, (_, i) => atena(i))].join('\n') + '\n');

    // Two processes write at once (different sources), in batches of 400 lines.
    const [a, b] = await Promise.all([
      kansa(['import', juminFile, '--json'], { KANSA_INGEST_BATCH_LINES: '400' }),
      kansa(['import', atenaFile, '--json'], { KANSA_INGEST_BATCH_LINES: '400' }),
    ]);
    expect({ a: a.code === 0 ? 0 : a.output, b: b.code === 0 ? 0 : b.output }).toEqual({ a: 0, b: 0 });
    expect(a.json().total).toEqual({ read: 1502, stored: 1501, duplicates: 0, quarantined: 1, apart: 0, setAside: 0 });
    expect(b.json().total).toEqual({ read: 700, stored: 700, duplicates: 0, quarantined: 0, apart: 0, setAside: 0 });
    expect(await count("SELECT count() FROM kansa.events WHERE source = 'jumin'")).toBe(1501);
    expect(await count("SELECT count() FROM kansa.events WHERE source = 'atena'")).toBe(700);
    expect(await count("SELECT count() FROM kansa.events WHERE reason = '窓口, 再交付'")).toBe(1);
    expect(await count("SELECT count() FROM kansa.quarantine WHERE field = '処理日時'")).toBe(1);

    const again = await kansa(['import', juminFile, '--json']);
    expect(again.json().total).toEqual({ read: 1502, stored: 0, duplicates: 1501, quarantined: 1, apart: 0, setAside: 0 });
    expect(await count("SELECT count() FROM kansa.events WHERE source = 'jumin'")).toBe(1501);
    // Staging tables of the batches are gone.
    expect(await count("SELECT count() FROM system.tables WHERE database = 'kansa' AND startsWith(name, 'ingest_staging')")).toBe(0);

    const verified = await kansa(['verify', '--json']);
    expect({ code: verified.code, ok: verified.json().ok }).toEqual({ code: 0, ok: true });

    await ch.exec("ALTER TABLE kansa.events UPDATE reason = '改ざん' WHERE source = 'atena' AND line_no = 5 SETTINGS mutations_sync = 1");
    const tampered = await kansa(['verify']);
    expect(tampered.code).toBe(1);
    expect(tampered.output).toContain('atena');
    await ch.exec("ALTER TABLE kansa.events UPDATE reason = '' WHERE source = 'atena' AND line_no = 5 SETTINGS mutations_sync = 1");
  });

  it('kill -9 between the events insert and the batch record: the next kansa process on this host completes the batch', async () => {
    const file = join(work, 'JUMIN_OPLOG_20250416.csv');
    const lines = Array.from({ length: 11 }, (_, i) => jumin(i).replace('2025/04/14', '2025/04/16'));
    writeFileSync(file, iconv.encode([JUMIN_HEADER, ...lines].join('\r\n') + '\r\n', 'cp932'));
    const day = "source = 'jumin' AND day = '2025-04-16'";
    // batches of 4 records (the header is one): killed right after the second batch's events insert
    const killed = await kansa(['import', file, '--json'], { KANSA_INGEST_BATCH_LINES: '4', KANSA_FAULT_KILL_AFTER_EVENTS_INSERT: '2' });
    expect(killed.code).toBeNull();
    expect(await count(`SELECT count() FROM kansa.events WHERE ${day}`)).toBe(7);
    expect(await count('SELECT count() FROM kansa.commit_intents FINAL WHERE done = 0')).toBe(1);

    // Any later kansa process of this host finds the dead process's intent and completes its chain.
    const verified = await kansa(['verify', '--json']);
    expect({ code: verified.code, unrecorded: verified.json().unrecorded }).toEqual({ code: 0, unrecorded: [] });
    expect(await count('SELECT count() FROM kansa.commit_intents FINAL WHERE done = 0')).toBe(0);
    const batches = await ch.exec(
      `SELECT seq, lines_read, stored FROM kansa.import_batches WHERE origin = '${file}' ORDER BY seq FORMAT CSV`,
    );
    expect(batches.trim().split('\n')).toEqual(['1,3,3', '2,4,4']);

    const again = await kansa(['import', file, '--json']);
    expect(again.json().total).toEqual({ read: 11, stored: 4, duplicates: 7, quarantined: 0, apart: 0, setAside: 0 });
    expect(await count(`SELECT count() FROM kansa.events WHERE ${day}`)).toBe(11);
    expect((await kansa(['verify'])).code).toBe(0);
  });

  it('two collectors and the analyzer as separate services: ingest on either, findings from the analyzer', async () => {
    const tokens = { ingest: generateToken(), read: generateToken() };
    const site = writeSiteConfig(work, {
      http: {
        tokens: [
          { name: 'sender', role: 'ingest', sha256: hashToken(tokens.ingest) },
          { name: 'staff', role: 'read', sha256: hashToken(tokens.read) },
        ],
      },
      rules: { params: { 'mass-lookup': { threshold: 25 } } },
      analyzer: { catchUpOnStart: false },
    });
    const start = async (only: string) => {
      const s = await startKansaServe(['--config', site, '--only', only], env);
      services.push(s.service);
      return s.url;
    };
    const [collector1, collector2, analyzer] = [await start('collector'), await start('collector'), await start('analyzer')];
    const post = (url: string, records: unknown[]) =>
      fetch(`${url}/api/ingest/chukan`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${tokens.ingest}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(records),
      });

    // One user's 40 look-ups of different residents, sent half to each collector (and the first half again to the other).
    const records = chukanRecords(40, { day: '2025-04-23', operator: 'K005555' }).map((r, i) => ({
      ...r,
      subject: `0100000000${String(70000 + i).padStart(5, '0')}`,
    }));
    const [r1, r2] = await Promise.all([post(collector1, records.slice(0, 20)), post(collector2, records.slice(20))]);
    expect([await r1.json(), await r2.json()]).toMatchObject([{ stored: 20 }, { stored: 20 }]);
    const resent = await post(collector2, records.slice(0, 20));
    expect(await resent.json()).toMatchObject({ stored: 0, duplicates: 20 });
    // Each part serves only its own routes.
    expect((await post(analyzer, records.slice(0, 1))).status).toBe(404);
    expect((await fetch(`${collector1}/api/findings`, { headers: { Authorization: `Bearer ${tokens.read}` } })).status).toBe(404);

    const analysed = await kansa(['analyze', '--from', '2025-04-23', '--to', '2025-04-23', '--rule', 'mass-lookup', '--config', site]);
    expect({ code: analysed.code }).toEqual({ code: 0 });
    const res = await fetch(`${analyzer}/api/findings?rule=mass-lookup`, { headers: { Authorization: `Bearer ${tokens.read}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items?: Array<Record<string, unknown>> } | Array<Record<string, unknown>>;
    const items = Array.isArray(body) ? body : (body.items ?? []);
    expect(items.map((f) => [f.rule, f.user_id ?? f.userId, Number(f.count)])).toEqual([['mass-lookup', 'K005555', 40]]);
    const verified = await kansa(['verify', '--json']);
    expect(verified.code).toBe(0);
    // one chain per collector process for the source they both wrote
    const chains = (verified.json().sources as Array<{ source: string; writer: string; batches: number }>).filter(
      (c) => c.source === 'chukan',
    );
    expect(chains).toHaveLength(2);
    expect(new Set(chains.map((c) => c.writer)).size).toBe(2);
    expect(chains.map((c) => c.batches).sort()).toEqual([1, 2]);
  });
});
