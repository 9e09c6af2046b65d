import { readMigrations } from '@kansa/storage';
import { openTestStore, TestStore } from '@kansa/test-kit';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

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
    expect(child.stdout).toContain('データディレクトリは別の kansa プロセスが使用中です');
  });
});
