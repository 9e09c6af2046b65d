import { Migration, MIGRATIONS_LEDGER_COLUMNS, readMigrations } from './migrations';
import { TABLES } from './tables';

/** Where each replicated table keeps its replication log in Keeper (macros {shard}, {database}, {replica} from the servers' config). */
export function replicationPath(table: string): string {
  return `/clickhouse/tables/{shard}/{database}/${table}`;
}

const CLUSTER_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const CREATE = /^(CREATE TABLE (?:IF NOT EXISTS )?)(\w+)(\s)/;
const ALTER = /^(ALTER TABLE )(\w+)(\s)/;
const ENGINE = /ENGINE = (ReplacingMergeTree|MergeTree)(?:\(([^)]*)\))?/;

/**
 * `kansa storage cluster-ddl --cluster NAME [--after N]`: kansa's schema for
 * a ClickHouse cluster, generated from the same numbered migrations
 * (docs/storage.md "Replication"), as one SQL script to run on one node:
 * every table replicated (`Replicated…MergeTree`, its log in Keeper at
 * replicationPath), every statement `ON CLUSTER`, and each migration recorded
 * in schema_migrations as `migrate()` records it (so kansa, started against
 * the cluster, finds nothing left to apply). Each replica then holds every
 * table, and kansa's queries, writers and integrity chain work unchanged on
 * any of them. One shard: sharding `events` (a Distributed table over local
 * ones) is not generated. `after`: only the migrations newer than that
 * version (an upgrade of a cluster already set up). A statement of a form
 * this does not know how to rewrite is an error, never passed through
 * unreplicated.
 */
export function clusterScript(cluster: string, after = 0, migrations: Migration[] = readMigrations()): string {
  if (!CLUSTER_NAME.test(cluster))
    throw new Error(`cluster name ${JSON.stringify(cluster)}: letters, digits and _ only (クラスタ名は英数字と _ のみ)`);
  const onCluster = `ON CLUSTER ${cluster}`;
  const ledger = `CREATE TABLE IF NOT EXISTS ${TABLES.migrations} ${onCluster} (${MIGRATIONS_LEDGER_COLUMNS})
ENGINE = ReplicatedMergeTree('${replicationPath(TABLES.migrations)}', '{replica}') ORDER BY version`;
  const parts = migrations
    .filter((m) => m.version > after)
    .map(
      (m) =>
        `-- ${m.name}\n` +
        [
          ...m.statements.map((s) => replicated(s, onCluster, m.name)),
          `INSERT INTO ${TABLES.migrations} (version, name, checksum) VALUES (${m.version}, '${m.name}', '${m.checksum}')`,
        ].join(';\n\n'),
    );
  return [`-- kansa schema for the cluster ${cluster} (kansa storage cluster-ddl)\n${ledger}`, ...parts].join(';\n\n') + ';\n';
}

function replicated(statement: string, onCluster: string, migration: string): string {
  const create = CREATE.exec(statement);
  if (create) {
    const table = create[2];
    const engine = ENGINE.exec(statement);
    if (!engine) throw new Error(`${migration}: CREATE TABLE ${table} without a MergeTree engine cannot be replicated`);
    const args = [`'${replicationPath(table)}'`, `'{replica}'`, ...(engine[2]?.trim() ? [engine[2].trim()] : [])];
    return deduplication(
      statement.replace(CREATE, `$1$2 ${onCluster}$3`).replace(ENGINE, `ENGINE = Replicated${engine[1]}(${args.join(', ')})`),
    );
  }
  if (ALTER.test(statement)) return deduplication(statement.replace(ALTER, `$1$2 ${onCluster}$3`));
  throw new Error(`${migration}: no cluster form for the statement ${statement.slice(0, 60)}…`);
}

/** A replicated table deduplicates inserted blocks with its own setting (the window kept). */
function deduplication(statement: string): string {
  return statement.replace(/\bnon_replicated_deduplication_window\b/g, 'replicated_deduplication_window');
}
