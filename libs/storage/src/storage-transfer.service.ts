import { Inject, Injectable } from '@nestjs/common';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import {
  AppliedMigration,
  ExportedRows,
  FingerprintScope,
  PartitionFingerprint,
  SELF_LOGGED,
  StorageTransferRepository,
} from './storage-transfer.repository';
import { TABLES } from './tables';

/** What an export holds (manifest.json, written last: an export without it is incomplete). */
export interface ExportManifest {
  format: 'kansa-storage-export-1';
  exportedAt: string;
  /** The schema the rows were written with: an import needs the same (the same kansa version). */
  migrations: AppliedMigration[];
  /**
   * Every other table; `part`: for a table the target's processes write to
   * as well, which of its rows there are the export's (ExportedRows), null
   * when all are.
   */
  tables: Array<{ table: string; file: string; columns: string[]; rows: number; part: ExportedRows | null }>;
  /** events by partition (JST month): rows written out (`exported`), and the fingerprint of those in `scope`. */
  events: {
    columns: string[];
    scope: FingerprintScope;
    /** `files`: one per day (each is one insert on import, bounded in memory and time). */
    partitions: Array<{ partition: string; files: string[]; exported: number } & PartitionFingerprint>;
  };
}

export type TransferProgress =
  | { kind: 'table'; table: string; rows: number; skipped?: boolean }
  | { kind: 'partition'; partition: string; rows: number; index: number; total: number; skipped?: boolean };

/** The export cannot be imported here (incomplete, another schema, a target holding data): nothing was written. */
export class TransferRefusedError extends Error {}

const EVENTS_DIR = 'events';

/**
 * `kansa storage export <dir>` / `kansa storage import <dir>`: moves a
 * site's data — every kansa table, events month by month — from one storage
 * to another, e.g. from the embedded data directory to a ClickHouse server
 * (docs/storage.md "Moving to a ClickHouse server"). The rows move
 * as stored, so every batch's content digest and the integrity chain are the
 * same on the target (`kansa verify` there gives the same chain heads); each
 * events month is fingerprinted at the export and checked after the import.
 * An interrupted import continues with `resume` (finished tables and months
 * are kept, a partial one is loaded again).
 */
@Injectable()
export class StorageTransferService {
  private readonly retentionYears: number;

  constructor(
    private readonly repo: StorageTransferRepository,
    @Inject(KANSA_CONFIG) config: KansaConfig,
  ) {
    this.retentionYears = config.storage.retentionYears;
  }

  async exportTo(dir: string, onProgress: (p: TransferProgress) => void = () => undefined): Promise<ExportManifest> {
    if (existsSync(dir) && readdirSync(dir).length > 0)
      throw new TransferRefusedError(`${dir} is not empty (書き出し先のフォルダが空ではありません)`);
    mkdirSync(join(dir, EVENTS_DIR), { recursive: true });
    const scope = await this.repo.fingerprintScope(this.retentionYears);
    const tables: ExportManifest['tables'] = [];
    for (const table of await this.repo.tables()) {
      if (table === TABLES.events) continue;
      const columns = await this.repo.columns(table);
      const file = `${table}.tsv.gz`;
      await pipeline(await this.repo.read(table, columns), createGzip(), createWriteStream(join(dir, file)));
      const rows = await this.repo.count(table);
      tables.push({ table, file, columns, rows, part: await this.exportedRows(table, columns, scope) });
      onProgress({ kind: 'table', table, rows });
    }
    const columns = await this.repo.columns(TABLES.events);
    const partitions: ExportManifest['events']['partitions'] = [];
    const ids = await this.repo.partitions(TABLES.events);
    for (const [i, partition] of ids.entries()) {
      const files = await this.exportMonth(dir, columns, partition);
      const fingerprint = await this.repo.fingerprint(partition, scope);
      const exported = await this.repo.count(TABLES.events, partition);
      partitions.push({ partition, files, exported, ...fingerprint });
      onProgress({ kind: 'partition', partition, rows: exported, index: i + 1, total: ids.length });
    }
    const manifest: ExportManifest = {
      format: 'kansa-storage-export-1',
      exportedAt: new Date().toISOString(),
      migrations: await this.repo.migrations(),
      tables,
      events: { columns, scope, partitions },
    };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
    return manifest;
  }

  /** Which of the table's rows on a target will be the export's (ExportedRows): the target's processes write rows of their own. */
  private async exportedRows(table: string, columns: readonly string[], scope: FingerprintScope): Promise<ExportedRows | null> {
    const writers = await this.repo.writers(table, columns);
    if (writers) return { writers };
    return SELF_LOGGED[table] === undefined ? null : { until: scope.insertedBy };
  }

  /**
   * One month of events, a file per day: the embedded engine holds a query's
   * whole result in memory, and a server has a time limit per request.
   */
  private async exportMonth(dir: string, columns: string[], partition: string): Promise<string[]> {
    mkdirSync(join(dir, EVENTS_DIR, partition));
    const files: string[] = [];
    for (const day of await this.repo.eventDays(partition)) {
      const file = `${EVENTS_DIR}/${partition}/${day}.tsv.gz`;
      await pipeline(await this.repo.read(TABLES.events, columns, { partition, day }), createGzip(), createWriteStream(join(dir, file)));
      files.push(file);
    }
    return files;
  }

  async importFrom(
    dir: string,
    options: { resume?: boolean } = {},
    onProgress: (p: TransferProgress) => void = () => undefined,
  ): Promise<ExportManifest> {
    const manifest = readManifest(dir);
    await this.checkTarget(manifest, options.resume ?? false);
    for (const t of manifest.tables) {
      // A table the target's processes write to as well is compared and replaced only in the export's rows.
      const part = t.part;
      const count = () => (part ? this.repo.countOf(t.table, part) : this.repo.count(t.table));
      const have = t.rows === 0 ? 0 : await count();
      if (have > t.rows) throw notThisExport(t.table, have, t.rows);
      if (have === t.rows) {
        onProgress({ kind: 'table', table: t.table, rows: t.rows, skipped: t.rows > 0 });
        continue;
      }
      if (have > 0) await (part ? this.repo.deleteOf(t.table, part) : this.repo.truncate(t.table));
      await this.repo.write(t.table, t.columns, createReadStream(join(dir, t.file)).pipe(createGunzip()));
      const rows = await count();
      if (rows !== t.rows) throw new Error(`${t.table}: ${t.rows} rows exported, ${rows} imported (件数が一致しません)`);
      onProgress({ kind: 'table', table: t.table, rows });
    }
    const { columns, scope, partitions } = manifest.events;
    for (const [i, p] of partitions.entries()) {
      const progress = { kind: 'partition' as const, partition: p.partition, rows: p.exported, index: i + 1, total: partitions.length };
      const have = await this.repo.count(TABLES.events, p.partition);
      if (have > p.exported) throw notThisExport(`events ${p.partition}`, have, p.exported);
      if (sameFingerprint(await this.repo.fingerprint(p.partition, scope), p)) {
        onProgress({ ...progress, skipped: true });
        continue;
      }
      // the month is loaded again whole: never over rows stored on the target since the export (a collector run too early)
      const since = await this.repo.storedSince(p.partition, scope);
      if (since > 0) {
        throw new TransferRefusedError(
          `events ${p.partition}: the target holds ${since} rows stored after the export began; they are kept and the month is not loaded again ` +
            `(読み込み先の ${p.partition} に書き出し後に保存された行が ${since} 行あるため、この月は読み込み直せません)`,
        );
      }
      await this.repo.dropPartition(TABLES.events, p.partition);
      for (const file of p.files) await this.repo.write(TABLES.events, columns, createReadStream(join(dir, file)).pipe(createGunzip()));
      const got = await this.repo.fingerprint(p.partition, scope);
      if (!sameFingerprint(got, p)) {
        throw new Error(
          `events ${p.partition}: exported ${p.rows} rows (digest sum ${p.digest}), imported ${got.rows} (${got.digest}) ` +
            `(パーティション ${p.partition} の行が書き出し時と一致しません)`,
        );
      }
      onProgress(progress);
    }
    return manifest;
  }

  /** The target has the export's schema, and holds no logs unless an import of this export is being resumed. */
  private async checkTarget(manifest: ExportManifest, resume: boolean): Promise<void> {
    const here = await this.repo.migrations();
    const key = (m: AppliedMigration) => `${m.version} ${m.checksum}`;
    const missing = manifest.migrations.filter((m) => !here.some((h) => key(h) === key(m)));
    const extra = here.filter((h) => !manifest.migrations.some((m) => key(h) === key(m)));
    if (missing.length > 0 || extra.length > 0) {
      throw new TransferRefusedError(
        `the export was written with another schema (${[...missing.map((m) => `export: ${m.name}`), ...extra.map((m) => `here: ${m.name}`)].join(', ')}); ` +
          'export and import with the same kansa version (書き出しと読み込みは同じバージョンの kansa で行ってください)',
      );
    }
    if (resume) return;
    const held = (await this.repo.count(TABLES.events)) + (await this.repo.count(TABLES.importBatches));
    if (held > 0) {
      throw new TransferRefusedError(
        'the target already holds logs: import into an empty database, or add --resume to continue an interrupted import of this export ' +
          '(読み込み先にすでにログがあります。空のデータベースに読み込むか、中断した読み込みの続きなら --resume を指定してください)',
      );
    }
  }
}

function readManifest(dir: string): ExportManifest {
  const path = join(dir, 'manifest.json');
  if (!existsSync(path)) throw new TransferRefusedError(`${path} not found: not a complete export (書き出しが完了していません)`);
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as ExportManifest;
  if (manifest.format !== 'kansa-storage-export-1') throw new TransferRefusedError(`${path}: unknown format ${String(manifest.format)}`);
  return manifest;
}

/** A resumed import never replaces rows the target holds beyond the export's (logs stored there since). */
function notThisExport(what: string, have: number, exported: number): TransferRefusedError {
  return new TransferRefusedError(
    `${what}: the target holds ${have} rows, the export ${exported}: not an interrupted import of this export ` +
      `(読み込み先の ${what} に書き出しにない行があるため、続きの読み込みはできません)`,
  );
}

function sameFingerprint(a: PartitionFingerprint, b: PartitionFingerprint): boolean {
  return a.rows === b.rows && a.digest === b.digest;
}
