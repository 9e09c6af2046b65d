import { migrate, readMigrations } from '@kansa/storage';
import { openTestStore, TestStore } from '@kansa/test-kit';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

describe('storage (embedded ClickHouse)', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore();
  });
  afterAll(() => store.close());

  it('applies every numbered migration once and records it', async () => {
    const recorded = await store.rows<{ name: string }>('SELECT name FROM schema_migrations ORDER BY version');
    expect(recorded.map((r) => r.name)).toEqual(readMigrations().map((m) => m.name));
    const tables = await store.rows<{ name: string }>('SELECT name FROM system.tables WHERE database = currentDatabase()');
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['events', 'quarantine', 'import_batches', 'findings']));
  });

  it('keeps events for the configured retention', async () => {
    const [row] = await store.rows<{ q: string }>("SELECT create_table_query AS q FROM system.tables WHERE name = 'events'");
    expect(row.q).toContain('toIntervalYear(7)');
  });

  it('waits out another process applying the same migration at the same moment (several started at once on a server)', async () => {
    // Another process has applied 240 and 241 and is about to record them: 240's rename, run again here, fails on
    // the column 241 gave the old name to.
    const forget = () =>
      store.client.command({ query: 'ALTER TABLE schema_migrations DELETE WHERE version IN (240, 241) SETTINGS mutations_sync = 2' });
    const recordedByTheOther = () =>
      store.client.insert({
        table: 'schema_migrations',
        values: [{ version: 240, name: '240_events_raw_residual', checksum: 'the other process' }],
        format: 'JSONEachRow',
      });
    await forget();
    await expect(migrate(store.client)).rejects.toThrow(/migration 240_events_raw_residual failed: .*raw_line/);

    const migrating = migrate(store.client, undefined, { othersWaitMs: 20_000 });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await recordedByTheOther();
    // 240 left to the other; 241 (idempotent) applied and recorded here as well
    await expect(migrating).resolves.toEqual(['241_events_raw_alias']);
    const columns = await store.rows<{ name: string }>(
      "SELECT name FROM system.columns WHERE database = currentDatabase() AND table = 'events' AND name LIKE 'raw%' ORDER BY name",
    );
    expect(columns.map((c) => c.name)).toEqual(['raw', 'raw_input', 'raw_line', 'raw_rebuilt', 'raw_residual']);

    // nobody records it: the error, once the wait is over
    await forget();
    await expect(migrate(store.client, undefined, { othersWaitMs: 1000 })).rejects.toThrow(
      /migration 240_events_raw_residual failed \(no other kansa process recorded it within 1 s\)/,
    );
    await recordedByTheOther();
    await expect(migrate(store.client)).resolves.toEqual(['241_events_raw_alias']);
  });

  it('fails at once on a migration no other process can be the cause of (a statement the server cannot parse), without the wait', async () => {
    const dir = scratchDir('migrations');
    writeFileSync(join(dir, '999_not_sql.sql'), 'ALTER TABLE events ADD COLUMN IF NOT EXISTS;\n');
    // a wait of ten minutes, were it waited: the test's own time limit would end it first
    await expect(migrate(store.client, dir, { othersWaitMs: 600_000 })).rejects.toThrow(/^migration 999_not_sql failed: .*Syntax error/);
  });

  it('tells a second process clearly that the data directory is in use', () => {
    const script = `
      require(${JSON.stringify(join(__dirname, '..', '..', '..', 'scripts', 'register.js'))});
      const { openClickHouse } = require(${JSON.stringify(join(__dirname, 'clickhouse.factory.ts'))});
      openClickHouse({ dataDir: ${JSON.stringify(store.dataDir)} }).then(
        () => { console.log('opened'); process.exit(0); },
        (e) => { console.log(e.constructor.name + ': ' + e.message); process.exit(3); });`;
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60000 });
    expect(child.status).toBe(3);
    expect(child.stdout).toContain('DataDirectoryInUseError');
    expect(child.stdout).toContain('in use by another kansa process');
    expect(child.stdout).toContain(`データディレクトリは別の kansa プロセス（PID ${process.pid}）が使用中です`);
    // who holds it, from the engine's status file, and said before the engine is loaded: not its own error first
    expect(child.stdout).toMatch(new RegExp(`in use by another kansa process \\(PID ${process.pid}, started \\d{4}-\\d{2}-\\d{2} `));
    expect(child.stderr).not.toContain('Cannot lock file');
  });
});
