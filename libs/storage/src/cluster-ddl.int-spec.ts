import { openTestStore, TestStore } from '@kansa/test-kit';
import { clusterScript, Migration, readMigrations, replicationPath, TABLES } from '@kansa/storage';

/** The script's statements, comments left out. */
function statements(script: string): string[] {
  return script
    .split(/;\n\n|;\n$/)
    .map((s) => s.replace(/^--.*$/gm, '').trim())
    .filter((s) => s.length > 0);
}

/**
 * The schema for a replicated cluster is generated from the same migrations:
 * every kansa table replicated, every statement ON CLUSTER, each migration
 * recorded so kansa started against the cluster applies nothing again. No
 * Keeper runs here, so the statements cannot be executed: the engine parses
 * each one (EXPLAIN AST), which is what can run.
 */
describe('kansa storage cluster-ddl', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore();
  });
  afterAll(() => store.close());

  const all = statements(clusterScript('kansa_c'));
  const creates = all.filter((s) => s.startsWith('CREATE'));

  it('creates every kansa table once, replicated, on the cluster, with its own path in Keeper', () => {
    const created = creates.map((s) => /^CREATE TABLE IF NOT EXISTS (\w+) ON CLUSTER kansa_c\s/.exec(s)?.[1]);
    expect([...created].sort()).toEqual(Object.values(TABLES).sort());
    for (const [i, s] of creates.entries()) {
      expect(s).toMatch(new RegExp(`ENGINE = Replicated(Replacing)?MergeTree\\('${replicationPath(created[i]!)}', '\\{replica\\}'`));
    }
    // a version column stays the replacing engine's version
    expect(creates.find((s) => s.includes(' findings ON CLUSTER'))).toContain(
      `ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/findings', '{replica}', updated_at)`,
    );
    expect(creates.find((s) => s.includes(' events ON CLUSTER'))).toContain('ReplicatedReplacingMergeTree(');
  });

  it('runs every change on the whole cluster, deduplicates inserts as a replicated table does, and records each migration', () => {
    for (const s of all.filter((x) => !x.startsWith('INSERT')))
      expect(s).toMatch(/^(CREATE TABLE IF NOT EXISTS|ALTER TABLE) \w+ ON CLUSTER kansa_c\s/);
    expect(all.join('\n')).not.toContain('non_replicated');
    expect(all.join('\n')).toContain('replicated_deduplication_window = 1000');
    const migrations = readMigrations();
    expect(all.filter((s) => s.startsWith('INSERT'))).toEqual(
      migrations.map(
        (m) => `INSERT INTO ${TABLES.migrations} (version, name, checksum) VALUES (${m.version}, '${m.name}', '${m.checksum}')`,
      ),
    );
    expect(all.length).toBe(1 + migrations.reduce((n, m) => n + m.statements.length + 1, 0));
  });

  it('gives an upgrade only the migrations after a version', () => {
    const upgrade = statements(clusterScript('kansa_c', 132));
    expect(upgrade.filter((s) => s.startsWith('INSERT'))).toEqual([
      expect.stringContaining("'140_explanations'"),
      expect.stringContaining("'150_events_apart_day'"),
      expect.stringContaining("'160_prepared_days'"),
      expect.stringContaining("'170_events_codecs'"),
      expect.stringContaining("'171_explanations_codecs'"),
      expect.stringContaining("'172_events_apart_codecs'"),
      expect.stringContaining("'180_events_day_state'"),
      expect.stringContaining("'181_events_day_user'"),
      expect.stringContaining("'190_events_subject_day'"),
      expect.stringContaining("'200_events_ingested_at_codec'"),
      expect.stringContaining("'210_events_ingested_index'"),
      expect.stringContaining("'220_integrity_checks_older_part'"),
      expect.stringContaining("'230_import_batches_codecs'"),
      expect.stringContaining("'240_events_raw_residual'"),
      expect.stringContaining("'241_events_raw_alias'"),
      expect.stringContaining("'250_report_failures'"),
    ]);
    expect(
      upgrade.filter((s) => s.startsWith('CREATE')).map((s) => /^CREATE TABLE IF NOT EXISTS (\w+) ON CLUSTER kansa_c\s/.exec(s)?.[1]),
    ).toEqual([TABLES.migrations, TABLES.assignments, TABLES.accessExplanations, TABLES.preparedDays, TABLES.reportFailures]); // the record of migrations is created if missing
    expect(upgrade.filter((s) => s.startsWith('ALTER TABLE master_residents ON CLUSTER kansa_c ADD COLUMN'))).toHaveLength(3);
    expect(upgrade.filter((s) => s.startsWith('ALTER TABLE integrity_checks ON CLUSTER kansa_c ADD COLUMN'))).toHaveLength(2);
    expect(upgrade.filter((s) => s.startsWith('ALTER TABLE events ON CLUSTER kansa_c ADD COLUMN IF NOT EXISTS raw'))).toHaveLength(4);
    expect(
      upgrade.filter((s) => s.startsWith('ALTER TABLE events ON CLUSTER kansa_c RENAME COLUMN IF EXISTS raw TO raw_line')),
    ).toHaveLength(1);
    expect(upgrade.filter((s) => s.startsWith('ALTER TABLE import_batches ON CLUSTER kansa_c MODIFY COLUMN'))).toHaveLength(7);
    expect(upgrade.filter((s) => s.startsWith('ALTER TABLE events_apart ON CLUSTER kansa_c ADD'))).toHaveLength(2);
    expect(upgrade.filter((s) => s.startsWith('ALTER TABLE events_apart ON CLUSTER kansa_c MODIFY COLUMN'))).toHaveLength(2);
    expect(upgrade.filter((s) => s.startsWith('ALTER TABLE events ON CLUSTER kansa_c MODIFY COLUMN'))).toHaveLength(26);
    expect(upgrade.filter((s) => s.startsWith('ALTER TABLE access_explanations ON CLUSTER kansa_c MODIFY COLUMN'))).toHaveLength(7);
    expect(upgrade.filter((s) => s.startsWith('ALTER TABLE events ON CLUSTER kansa_c ADD PROJECTION IF NOT EXISTS day_'))).toHaveLength(2);
    expect(upgrade.filter((s) => s.startsWith('ALTER TABLE events ON CLUSTER kansa_c ADD INDEX IF NOT EXISTS idx_ingested'))).toHaveLength(
      1,
    );
  });

  it('refuses a cluster name that is not an identifier, and a statement it cannot replicate', () => {
    expect(() => clusterScript("c'; DROP TABLE events")).toThrow('letters, digits and _ only');
    const odd: Migration = { version: 999, name: '999_odd', checksum: 'x', statements: ['CREATE VIEW v AS SELECT 1'] };
    expect(() => clusterScript('kansa_c', 0, [odd])).toThrow('999_odd: no cluster form');
    const memory: Migration = { ...odd, statements: ['CREATE TABLE t (a UInt8) ENGINE = Memory'] };
    expect(() => clusterScript('kansa_c', 0, [memory])).toThrow('cannot be replicated');
  });

  it('writes statements the ClickHouse engine parses', async () => {
    for (const s of all) {
      const plan = await (await store.client.query({ query: `EXPLAIN AST ${s}`, format: 'TabSeparated' })).text();
      expect(plan).toMatch(/(CreateQuery|AlterQuery|InsertQuery)/); // a statement the engine cannot parse is an error
    }
  });
});
