import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import { EVENT_ROW_DIGEST_SQL } from './event-columns';
import { CLICKHOUSE } from './storage.tokens';
import { TABLES } from './tables';

/** An applied migration, as recorded. */
export interface AppliedMigration {
  version: number;
  name: string;
  checksum: string;
}

/**
 * Logs every kansa process appends to by itself, without a writer column —
 * each `kansa verify` records its verdict in integrity_checks, the one an
 * import runs at its end included — with the time column that tells the
 * export's rows (up to the export's start) from the target's own.
 */
export const SELF_LOGGED: Readonly<Partial<Record<string, string>>> = { [TABLES.integrityChecks]: 'checked_at' };

/**
 * Which rows of a table on the target are the export's, for a table the
 * target's own processes write to as well: those of the export's writers (a
 * table chained per writer), or those of a self-logged table up to the
 * export's start (SELF_LOGGED). The other rows are the target's own.
 */
export type ExportedRows = { writers: readonly string[] } | { until: string };

/** Which rows a fingerprint covers (StorageTransferRepository.fingerprintScope). */
export interface FingerprintScope {
  /** Rows inserted up to this time (JST, ms). */
  insertedBy: string;
  /** Rows whose time is from this one on (JST, ms). */
  from: string;
}

/** What a month of events is: how many rows, and the sum of their row digests (the integrity chain's). */
export interface PartitionFingerprint {
  rows: number;
  digest: string;
}

/**
 * The statements of `kansa storage export` / `import` (StorageTransferService):
 * kansa's tables as ClickHouse writes them out and reads them in again
 * (TabSeparated: every type round-trips exactly), the stored columns only.
 * A column the table computes (ALIAS, MATERIALIZED) or only takes as an input
 * (EPHEMERAL) is neither stored as written nor insertable, so it is left out;
 * kansa's tables have none today (DEFAULT columns such as events.day and
 * ingested_at are stored, and move as stored).
 */
@Injectable()
export class StorageTransferRepository {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  /** kansa's tables (TABLES) that exist here, schema_migrations aside, in TABLES order. */
  async tables(): Promise<string[]> {
    const names = Object.values(TABLES).filter((t) => t !== TABLES.migrations);
    const rows = await this.rows<{ name: string }>(
      `SELECT name FROM system.tables WHERE database = currentDatabase() AND name IN {names:Array(String)}`,
      { names },
    );
    const present = new Set(rows.map((r) => r.name));
    return names.filter((n) => present.has(n));
  }

  /** The columns a table stores, in order. */
  async columns(table: string): Promise<string[]> {
    const rows = await this.rows<{ name: string }>(
      `SELECT name FROM system.columns WHERE database = currentDatabase() AND table = {table:String}
         AND default_kind NOT IN ('ALIAS', 'EPHEMERAL', 'MATERIALIZED') ORDER BY position`,
      { table },
    );
    return rows.map((r) => r.name);
  }

  async migrations(): Promise<AppliedMigration[]> {
    const rows = await this.rows<{ version: number; name: string; checksum: string }>(
      `SELECT version, name, checksum FROM ${TABLES.migrations} ORDER BY version`,
      {},
    );
    return rows.map((r) => ({ version: Number(r.version), name: r.name, checksum: r.checksum }));
  }

  /**
   * Rows of a table, or of one partition of it — as read with FINAL for a
   * ReplacingMergeTree (its replaced versions may be merged away at any time,
   * also while an import inserts them), so the same on both sides.
   */
  async count(table: string, partition?: string): Promise<number> {
    const [r] = await this.rows<{ n: string }>(
      `SELECT count() AS n FROM ${await this.final(table)} ${partition === undefined ? '' : 'WHERE _partition_id = {partition:String}'}`,
      { partition },
    );
    return Number(r.n);
  }

  /**
   * The writers whose rows a table holds, for the tables chained per writer
   * (import_batches, audit_changes, clock_marks, …: they have a `writer`
   * column); null for the others. A process writes rows of its own writer
   * when it starts (the audit trail records its configuration), so such a
   * table is moved writer by writer. `columns`: the table's (columns()).
   */
  async writers(table: string, columns: readonly string[]): Promise<string[] | null> {
    if (!columns.includes('writer')) return null;
    const rows = await this.rows<{ w: string }>(`SELECT DISTINCT writer AS w FROM ${this.table(table)} ORDER BY w`, {});
    return rows.map((r) => r.w);
  }

  /** The rows of a table that are the export's (ExportedRows). */
  async countOf(table: string, part: ExportedRows): Promise<number> {
    const where = this.exported(table, part);
    const [r] = await this.rows<{ n: string }>(`SELECT count() AS n FROM ${await this.final(table)} WHERE ${where.sql}`, where.params);
    return Number(r.n);
  }

  /** Removes the rows that are the export's (a partly loaded table of an interrupted import). */
  async deleteOf(table: string, part: ExportedRows): Promise<void> {
    const where = this.exported(table, part);
    await this.client.command({ query: `DELETE FROM ${this.table(table)} WHERE ${where.sql}`, query_params: where.params });
  }

  private exported(table: string, part: ExportedRows): { sql: string; params: Record<string, unknown> } {
    if ('writers' in part) return { sql: 'writer IN {writers:Array(String)}', params: { writers: part.writers } };
    const column = SELF_LOGGED[table];
    if (column === undefined) throw new Error(`${table} is not a log every process appends to`);
    return { sql: `${column} <= {until:DateTime64(3, 'Asia/Tokyo')}`, params: { until: part.until } };
  }

  /** Partition IDs of a table that has rows. */
  async partitions(table: string): Promise<string[]> {
    const rows = await this.rows<{ p: string }>(
      `SELECT DISTINCT partition_id AS p FROM system.parts
       WHERE active AND rows > 0 AND database = currentDatabase() AND table = {table:String} ORDER BY p`,
      { table },
    );
    return rows.map((r) => r.p);
  }

  /** The days of events in a partition (the unit an export reads at once). */
  async eventDays(partition: string): Promise<string[]> {
    const rows = await this.rows<{ d: string }>(
      `SELECT DISTINCT toString(day) AS d FROM ${TABLES.events} WHERE _partition_id = {partition:String} ORDER BY d`,
      { partition },
    );
    return rows.map((r) => r.d);
  }

  /**
   * The stored columns of a table, or of one day of a partition of events, as
   * TabSeparated text. The embedded engine holds a query's whole result in
   * memory before handing it over, hence a day at a time for events.
   */
  async read(table: string, columns: readonly string[], slice?: { partition: string; day: string }): Promise<Readable> {
    const r = await this.client.exec({
      query: `SELECT ${columns.join(', ')} FROM ${this.table(table)}
              ${slice === undefined ? '' : 'WHERE _partition_id = {partition:String} AND day = {day:Date}'} FORMAT TabSeparated`,
      query_params: slice ?? {},
    });
    return r.stream;
  }

  /** Inserts TabSeparated rows of these columns (as `read` gave them). */
  async write(table: string, columns: readonly string[], rows: Readable): Promise<void> {
    const [first, ...rest] = columns;
    await this.client.insert({ table: this.table(table), values: rows, format: 'TabSeparated', columns: [first, ...rest] });
  }

  async dropPartition(table: string, partition: string): Promise<void> {
    await this.client.command({
      query: `ALTER TABLE ${this.table(table)} DROP PARTITION ID {partition:String}`,
      query_params: { partition },
    });
  }

  async truncate(table: string): Promise<void> {
    await this.client.command({ query: `TRUNCATE TABLE ${this.table(table)}` });
  }

  /** The table, read with FINAL when it replaces rows. */
  private async final(table: string): Promise<string> {
    const [r] = await this.rows<{ engine: string }>(
      `SELECT engine FROM system.tables WHERE database = currentDatabase() AND name = {table:String}`,
      { table },
    );
    return `${this.table(table)}${r?.engine.includes('Replacing') ? ' FINAL' : ''}`;
  }

  /**
   * What a fingerprint taken now covers: rows inserted up to now (rows a
   * writer adds meanwhile are not the export's) whose time is more than a day
   * inside the retention (`retentionYears`: older rows may be removed by the
   * TTL meanwhile, as any merge does).
   */
  async fingerprintScope(retentionYears: number): Promise<FingerprintScope> {
    const [r] = await this.rows<FingerprintScope>(
      `SELECT toString(now64(3, 'Asia/Tokyo')) AS insertedBy,
              toString(now64(3, 'Asia/Tokyo') - INTERVAL {years:UInt32} YEAR + INTERVAL 1 DAY) AS from`,
      { years: retentionYears },
    );
    return r;
  }

  /**
   * The rows of a month of events in `scope`: their count and the sum of
   * their row digests (EVENT_ROW_DIGEST_SQL, the one `kansa verify`
   * recomputes), the same wherever the same rows are stored.
   */
  async fingerprint(partition: string, scope: FingerprintScope): Promise<PartitionFingerprint> {
    const [r] = await this.rows<{ n: string; d: string }>(
      `SELECT count() AS n, toString(sum(reinterpretAsUInt128(substring(${EVENT_ROW_DIGEST_SQL}, 1, 16)))) AS d
       FROM ${TABLES.events}
       WHERE _partition_id = {partition:String} AND ingested_at <= {insertedBy:DateTime64(3, 'Asia/Tokyo')}
         AND ts >= {from:DateTime64(3, 'Asia/Tokyo')}`,
      { partition, ...scope },
    );
    return { rows: Number(r.n), digest: r.d };
  }

  /**
   * The lines kept apart of a month (events_apart, which has no row digests)
   * in `scope` — by the time they arrived, which is both when they were
   * inserted and what the retention counts from: their count and the sum of a
   * hash of every stored column (`*`: the stored columns, as columns()
   * lists them), the same wherever the same rows are stored.
   */
  async apartFingerprint(partition: string, scope: FingerprintScope): Promise<PartitionFingerprint> {
    const [r] = await this.rows<{ n: string; d: string }>(
      `SELECT count() AS n, toString(sum(toUInt128(cityHash64(*)))) AS d
       FROM ${TABLES.eventsApart}
       WHERE _partition_id = {partition:String} AND received_at <= {insertedBy:DateTime64(3, 'Asia/Tokyo')}
         AND received_at >= {from:DateTime64(3, 'Asia/Tokyo')}`,
      { partition, ...scope },
    );
    return { rows: Number(r.n), digest: r.d };
  }

  /** The batch records written up to the scope's time: their count and the sum of a hash of every stored column. */
  async ledgerFingerprint(scope: FingerprintScope): Promise<PartitionFingerprint> {
    const [r] = await this.rows<{ n: string; d: string }>(
      `SELECT count() AS n, toString(sum(toUInt128(cityHash64(*)))) AS d
       FROM ${TABLES.importBatches} WHERE finished_at <= {insertedBy:DateTime64(3, 'Asia/Tokyo')}`,
      { insertedBy: scope.insertedBy },
    );
    return { rows: Number(r.n), digest: r.d };
  }

  /** Rows of a month of events inserted after the scope was taken (on a target: stored there since the export began). */
  async storedSince(partition: string, scope: FingerprintScope): Promise<number> {
    const [r] = await this.rows<{ n: string }>(
      `SELECT count() AS n FROM ${TABLES.events}
       WHERE _partition_id = {partition:String} AND ingested_at > {insertedBy:DateTime64(3, 'Asia/Tokyo')}`,
      { partition, insertedBy: scope.insertedBy },
    );
    return Number(r.n);
  }

  /** Only kansa's own tables (names from TABLES) are read or written. */
  private table(name: string): string {
    if (!(Object.values(TABLES) as string[]).includes(name)) throw new Error(`not a kansa table: ${name}`);
    return name;
  }

  private async rows<T>(query: string, query_params: Record<string, unknown>): Promise<T[]> {
    return (await this.client.query({ query, query_params, format: 'JSONEachRow' })).json<T>();
  }
}
