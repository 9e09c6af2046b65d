import { ClickHouseHttp, startClickHouseHttp } from '@kansa/test-kit/clickhouse-http';
import { badJuminLine, JUMIN_HEADER, juminLine } from '@kansa/test-kit/jumin-lines';
import { generateDemo } from '@kansa/demo';
import { openClickHouse, TABLES } from '@kansa/storage';
import * as iconv from 'iconv-lite';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kansaRun, KansaRun, runKansa, waitFor } from '../faults/fault-harness';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

jest.setTimeout(900_000);

interface Verified {
  ok: boolean;
  sources: Array<{ source: string; writer: string; batches: number; head: string }>;
}

/**
 * Every kansa table but the record of migrations, and integrity_checks: each
 * `kansa verify` adds a row to it, on the server too (compared apart).
 */
const MOVED = Object.values(TABLES).filter((t) => t !== TABLES.migrations && t !== TABLES.integrityChecks);
const CHECKS_SQL = `SELECT toString(checked_at) AS t FROM ${TABLES.integrityChecks} ORDER BY checked_at`;

interface TableShape {
  name: string;
  replacing: boolean;
  /** Chained per writer (a `writer` column). */
  writer: boolean;
}

/** kansa's tables as the current database holds them. */
const SHAPE_SQL = `SELECT name, engine LIKE '%Replacing%' AS replacing,
         name IN (SELECT table FROM system.columns WHERE database = currentDatabase() AND name = 'writer') AS writer
       FROM system.tables WHERE database = currentDatabase() AND name IN {tables:Array(String)} ORDER BY name`;

/**
 * One query: the rows of every kansa table in `db` (as a replacing table
 * reads them, FINAL), a table chained per writer counted in the embedded
 * writer's rows only (a process on the server records its start, its
 * verification, … under a writer of its own).
 */
function countsSql(db: string, tables: TableShape[]): string {
  return tables
    .map(
      (t) =>
        `SELECT '${t.name}' AS t, toUInt64(count()) AS n FROM ${db}${t.name}${t.replacing ? ' FINAL' : ''}${t.writer ? ` WHERE writer = ''` : ''}`,
    )
    .join(' UNION ALL ');
}

/**
 * A site moves from the embedded data directory to a ClickHouse server
 * (`kansa storage export` there, `kansa storage import` against the server):
 * every table arrives with its rows, the integrity chains verify on the
 * server with the same heads, an interrupted import continues with --resume
 * to the same result, and an import is refused onto a database that holds
 * logs or with an export of another schema. The server is the real engine
 * behind ClickHouse's HTTP interface (test/kit/clickhouse-http.ts).
 */
describe('moving a data directory to a ClickHouse server', () => {
  let work: string;
  let ch: ClickHouseHttp;
  let exported: string;
  let before: Verified;
  let beforeFindings: string;
  /** Rows per table in the embedded data directory, as `table\tcount` lines. */
  let embeddedCounts: string;
  /** When `kansa verify` ran on the embedded data directory (integrity_checks). */
  let embeddedChecks: string[];
  let shape: TableShape[];
  let embedded: (args: string[]) => Promise<KansaRun>;
  /** `kansa <args>` against a database of the server. */
  let server: (database: string, args: string[], env?: Record<string, string>) => Promise<KansaRun>;
  const serverEnv = (database: string) => ({ CLICKHOUSE_URL: ch.url, CLICKHOUSE_DATABASE: database });
  const serverCounts = async (database: string) =>
    (await ch.exec(`SELECT t, n FROM (${countsSql(`${database}.`, shape)}) ORDER BY t FORMAT TabSeparated`)).trim();
  /** The server's verifications: the embedded ones, then one per `kansa verify` (an import's included) run there. */
  const expectChecks = async (database: string, verifiesThere: number) =>
    expect((await ch.exec(`${CHECKS_SQL.replace(' FROM ', ` FROM ${database}.`)} FORMAT TabSeparated`)).trim().split('\n')).toEqual([
      ...embeddedChecks,
      ...Array.from({ length: verifiesThere }, () => expect.any(String)),
    ]);
  /** `kansa storage import` into `database` ends with the embedded directory's rows in every table and its chain heads. */
  const expectMoved = async (database: string, flags: string[]) => {
    const moved = await server(database, ['--json', 'storage', 'import', exported, ...flags]);
    expect(moved.code).toBe(0);
    const after = JSON.parse(moved.stdout) as Verified;
    expect(after.ok).toBe(true);
    expect(after.sources).toEqual(before.sources);
    expect(await serverCounts(database)).toEqual(embeddedCounts);
    await expectChecks(database, 1);
  };
  const count = async (sql: string) => Number((await ch.exec(sql)).trim());

  beforeAll(async () => {
    work = scratchDir('storage-move');
    const dataDir = join(work, 'data');
    embedded = (args) => kansaRun(['--data-dir', dataDir, ...args], { CLICKHOUSE_URL: '' });
    ch = await startClickHouseHttp(join(work, 'clickhouse'));
    server = (database, args, env = {}) => kansaRun(args, { ...serverEnv(database), ...env });

    // Three months of logs of all four systems (and the business records of the cases open before them, a fourth month),
    // the PCs' Windows logs (kept-apart records), damaged lines (quarantined), findings.
    const demo = generateDemo({ outDir: join(work, 'demo'), month: '2025-05', staff: 80, seed: 'move', historyMonths: 2 });
    expect((await embedded(['masters', 'load', demo.mastersDir])).code).toBe(0);
    const imported = await embedded(['import', demo.historyDir as string, demo.logsDir]);
    expect(imported.code).toBe(0);
    // A file of April with damaged lines (quarantined), sent twice (all duplicates the second time).
    const damaged = join(work, 'JUMIN_OPLOG_20250415.csv');
    const good = Array.from({ length: 10 }, (_, i) => iconv.encode(juminLine(i).replace(/^2026\/09\/01/, '2025/04/15'), 'cp932'));
    const bad = Array.from({ length: 5 }, (_, i) => badJuminLine(i));
    const crlf = Buffer.from('\r\n');
    writeFileSync(damaged, Buffer.concat([iconv.encode(JUMIN_HEADER, 'cp932'), ...[...good, ...bad].flatMap((l) => [crlf, l]), crlf]));
    expect((await embedded(['import', damaged])).code).toBe(0);
    expect((await embedded(['import', damaged])).code).toBe(0);
    expect((await embedded(['analyze', '--from', '2025-05-01', '--to', '2025-05-31'])).code).toBe(0);
    const verified = await embedded(['--json', 'verify']);
    before = JSON.parse(verified.stdout) as Verified;
    beforeFindings = (await embedded(['--json', 'findings'])).stdout;

    exported = join(work, 'export');
    const out = await embedded(['storage', 'export', exported]);
    expect(out.code).toBe(0);
    expect(out.output).toContain('書き出し完了');
    expect(out.output).toMatch(/events \[4\/4\] 2025-05: [\d,]+行/);

    const client = await openClickHouse({ dataDir });
    try {
      const rows = async <T>(query: string, params: Record<string, unknown> = {}) =>
        (await client.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();
      shape = (await rows<{ name: string; replacing: number; writer: number }>(SHAPE_SQL, { tables: MOVED })).map((r) => ({
        name: r.name,
        replacing: Boolean(r.replacing),
        writer: Boolean(r.writer),
      }));
      const counts = await rows<{ t: string; n: string }>(`SELECT t, n FROM (${countsSql('', shape)}) ORDER BY t`);
      embeddedCounts = counts.map((r) => `${r.t}\t${r.n}`).join('\n');
      embeddedChecks = (await rows<{ t: string }>(CHECKS_SQL)).map((r) => r.t);
    } finally {
      await client.close();
    }
  });
  afterAll(async () => {
    await ch?.close();
  });

  it('the export holds several months, kept-apart and quarantined lines and findings', () => {
    const lines = new Map(embeddedCounts.split('\n').map((l) => l.split('\t') as [string, string]));
    expect(Number(lines.get(TABLES.events))).toBeGreaterThan(0);
    expect(Number(lines.get(TABLES.eventsApart))).toBeGreaterThan(0);
    expect(Number(lines.get(TABLES.quarantine))).toBeGreaterThan(0);
    expect(Number(lines.get(TABLES.findings))).toBeGreaterThan(0);
    expect(before.ok).toBe(true);
    expect(embeddedChecks).toHaveLength(1);
  });

  it('refuses an export written with another schema, and stores nothing', async () => {
    const other = join(work, 'export-other');
    cpSync(exported, other, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(other, 'manifest.json'), 'utf8')) as { migrations: Array<{ name: string }> };
    const last = manifest.migrations.pop(); // as written by a kansa version before the last migration
    writeFileSync(join(other, 'manifest.json'), JSON.stringify(manifest));
    const refused = await server('kansa', ['storage', 'import', other]);
    expect(refused.code).toBe(2);
    expect(refused.output).toContain('書き出しと読み込みは同じバージョンの kansa で行ってください');
    expect(refused.output).toContain(`here: ${last?.name}`);
    expect(await count('SELECT count() FROM kansa.events')).toBe(0);
    expect(await count('SELECT count() FROM kansa.import_batches')).toBe(0);
  });

  it('imports every table into the server: the same rows, the chains verify with the same heads, the same findings', async () => {
    await expectMoved('kansa', []);
    expect((await server('kansa', ['--json', 'findings'])).stdout).toEqual(beforeFindings);
  });

  it('refuses to import into a database that already holds logs', async () => {
    const again = await server('kansa', ['storage', 'import', exported]);
    expect(again.code).toBe(2);
    expect(again.output).toContain('読み込み先にすでにログがあります');
    expect(again.output).toContain('--resume');
    expect(await serverCounts('kansa')).toEqual(embeddedCounts);
  });

  it('an import interrupted after its first month continues with --resume to the same result', async () => {
    const p = runKansa(['storage', 'import', exported], serverEnv('kansa_resumed'));
    let ended = false;
    void p.exited.then(() => (ended = true));
    await waitFor('the first month imported', () => Promise.resolve(ended || /events \[1\/4\]/.test(p.output())));
    await p.kill();
    const total = Number(new Map(embeddedCounts.split('\n').map((l) => l.split('\t') as [string, string])).get(TABLES.events));
    const partly = await count('SELECT count() FROM kansa_resumed.events FINAL');
    expect(partly).toBeGreaterThan(0);
    expect(partly).toBeLessThan(total); // it was interrupted

    const plain = await server('kansa_resumed', ['storage', 'import', exported]);
    expect(plain.code).toBe(2);
    expect(plain.output).toContain('読み込み先にすでにログがあります');

    await expectMoved('kansa_resumed', ['--resume']);

    const human = await server('kansa_resumed', ['storage', 'import', exported, '--resume']);
    expect(human.code).toBe(0);
    expect(human.output).toMatch(/events \[1\/4\] 2025-02: 読み込み済み/);
    expect(human.output).toContain('整合性検証: 正常');
  });

  it('refuses to resume onto a month holding rows the export does not (a late day stored since), and keeps them', async () => {
    const late = join(work, 'JUMIN_OPLOG_20250531.csv');
    const mayLines = Array.from({ length: 20 }, (_, i) => juminLine(i).replace(/^2026\/09\/01/, '2025/05/31'));
    writeFileSync(late, iconv.encode([JUMIN_HEADER, ...mayLines].join('\r\n') + '\r\n', 'cp932'));
    expect((await server('kansa', ['import', late], { KANSA_WRITER: 'collector-1' })).code).toBe(0);
    const mayRows = await count("SELECT count() FROM kansa.events WHERE _partition_id = '202505'");
    const refused = await server('kansa', ['storage', 'import', exported, '--resume']);
    expect(refused.code).toBe(2);
    expect(refused.output).toContain('events 202505');
    expect(refused.output).toContain('続きの読み込みはできません');
    expect(await count("SELECT count() FROM kansa.events WHERE _partition_id = '202505'")).toBe(mayRows);
    expect((await server('kansa', ['verify'])).code).toBe(0);
  });
});
