import { jstTimestamp } from '@kansa/domain';
import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isValidDay } from '@kansa/calendar/business-calendar';
import type { MasterVersions } from '@kansa/domain';
import { CLICKHOUSE, TABLES } from '@kansa/storage';
import { MasterFileError, parseMasterFile, ParsedMasterFile } from './master-file.parser';
import { MasterTimeline } from './master-timeline';
import { MasterKind, MASTERS } from './masters.types';

export interface LoadMastersOptions {
  /** 'YYYY-MM-DD': the version applies from 00:00 JST that day (back-dated load); default: now. */
  effectiveFrom?: string;
  /** Clock for tests; default: now. */
  now?: Date;
}

export interface LoadedMaster {
  master: MasterKind;
  file: string;
  rows: number;
  version: number;
  effectiveFrom: string;
}

export interface LoadMastersResult {
  loaded: LoadedMaster[];
  /** CSV files in the folder that are not masters: ignored. */
  ignored: string[];
}

/** A load refused because files are invalid; nothing was written. */
export class MastersInvalidError extends Error {
  constructor(readonly errors: MasterFileError[]) {
    super(`master files are invalid (${errors.length} error(s)); nothing was loaded / マスタに誤りがあるため取り込みませんでした`);
  }
}

export interface MasterVersionRow {
  master: MasterKind;
  version: number;
  effectiveFrom: string;
  loadedAt: string;
  fileName: string;
  fileSha256: string;
  rows: number;
}

const KINDS = Object.keys(MASTERS) as MasterKind[];
const FILE_TO_KIND = new Map<string, MasterKind>(KINDS.map((k) => [MASTERS[k].file, k]));
const TABLE_OF: Record<MasterKind, string> = {
  staff: TABLES.staff,
  leaves: TABLES.leaves,
  accounts: TABLES.accounts,
  overtime: TABLES.overtime,
  watchlist: TABLES.watchlist,
  permissions: TABLES.permissions,
  residents: TABLES.residents,
  calendar: TABLES.calendar,
  assignments: TABLES.assignments,
};

/**
 * Versioned master data. Each load of a master file is a new version valid
 * from its effective_from; a day D is analysed against the latest version
 * effective by the end of D, or the earliest version when none was yet.
 */
@Injectable()
export class MastersRepository {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  /** Reads and validates every master file in `dir` (no writing). */
  readFolder(dir: string): { files: ParsedMasterFile[]; ignored: string[] } {
    let names: string[];
    try {
      names = readdirSync(dir)
        .filter((n) => statSync(join(dir, n)).isFile())
        .sort();
    } catch (err) {
      throw new MastersInvalidError([{ file: dir, line: 0, message: `フォルダを読めません: ${(err as Error).message}` }]);
    }
    const files: ParsedMasterFile[] = [];
    const ignored: string[] = [];
    for (const name of names) {
      const kind = FILE_TO_KIND.get(name) ?? FILE_TO_KIND.get(name.toLowerCase());
      if (!kind) {
        if (name.toLowerCase().endsWith('.csv')) ignored.push(name);
        continue;
      }
      files.push(parseMasterFile(kind, readFileSync(join(dir, name)), name));
    }
    if (files.length === 0) {
      throw new MastersInvalidError([
        { file: dir, line: 0, message: `マスタのファイルがありません（${KINDS.map((k) => MASTERS[k].file).join(', ')}）` },
      ]);
    }
    return { files, ignored };
  }

  /**
   * Validates every master file in `dir`, then (only when all are valid)
   * stores each as a new version. Throws MastersInvalidError listing all errors.
   */
  async load(dir: string, options: LoadMastersOptions = {}): Promise<LoadMastersResult> {
    if (options.effectiveFrom !== undefined && !isValidDay(options.effectiveFrom)) {
      throw new MastersInvalidError([
        { file: '--effective-from', line: 0, value: options.effectiveFrom, message: '日付ではありません（YYYY-MM-DD）' },
      ]);
    }
    const { files, ignored } = this.readFolder(dir);
    const errors = files.flatMap((f) => f.errors);
    if (errors.length > 0) throw new MastersInvalidError(errors);

    const now = options.now ?? new Date();
    const loadedAt = jstTimestamp(now);
    const effectiveFrom = options.effectiveFrom ? `${options.effectiveFrom} 00:00:00.000` : loadedAt;
    const loaded: LoadedMaster[] = [];
    for (const f of files) {
      const version = await this.nextVersion(f.kind);
      const rows = (f.rows as object[]).map((r) => ({ version, ...r }));
      // Rows first, the version record last: a version becomes visible only when complete.
      if (rows.length > 0) await this.client.insert({ table: TABLE_OF[f.kind], values: rows, format: 'JSONEachRow' });
      const content = readFileSync(join(dir, f.file));
      await this.client.insert({
        table: TABLES.masterVersions,
        values: [
          {
            master: f.kind,
            version,
            effective_from: effectiveFrom,
            loaded_at: loadedAt,
            file_name: basename(f.file),
            file_sha256: createHash('sha256').update(content).digest('hex'),
            rows: rows.length,
          },
        ],
        format: 'JSONEachRow',
      });
      loaded.push({ master: f.kind, file: f.file, rows: rows.length, version, effectiveFrom });
    }
    return { loaded, ignored };
  }

  /** The master versions a JST day is analysed against (0: master never loaded). */
  async versionsAt(day: string): Promise<MasterVersions> {
    if (!isValidDay(day)) throw new Error(`not a date (YYYY-MM-DD): "${day}"`);
    return (await this.timeline()).versionsAt(day);
  }

  /** Every version of every master, to resolve many days at once (MasterTimeline). */
  async timeline(): Promise<MasterTimeline> {
    const rs = await this.client.query({
      query: `SELECT master, version, toString(effective_from) AS effectiveFrom, file_sha256 AS fileSha256 FROM ${TABLES.masterVersions}`,
      format: 'JSONEachRow',
    });
    const rows = await rs.json<{ master: string; version: number | string; effectiveFrom: string; fileSha256: string }>();
    return new MasterTimeline(
      rows.filter((r) => r.master in MASTERS).map((r) => ({ ...r, master: r.master as MasterKind, version: Number(r.version) })),
    );
  }

  /** Every stored version, newest first per master. */
  async list(): Promise<MasterVersionRow[]> {
    const rs = await this.client.query({
      query: `SELECT master, version, toString(effective_from) AS effectiveFrom, toString(loaded_at) AS loadedAt,
                     file_name AS fileName, file_sha256 AS fileSha256, rows
              FROM ${TABLES.masterVersions} ORDER BY master, version DESC`,
      format: 'JSONEachRow',
    });
    return (await rs.json<MasterVersionRow>()).map((r) => ({ ...r, version: Number(r.version), rows: Number(r.rows) }));
  }

  /** The version of a master stored before `version` (0 when none). */
  async previousVersion(kind: MasterKind, version: number): Promise<number> {
    const rs = await this.client.query({
      query: `SELECT max(version) AS v FROM ${TABLES.masterVersions} WHERE master = {master:String} AND version < {version:UInt32}`,
      query_params: { master: kind, version },
      format: 'JSONEachRow',
    });
    const [row] = await rs.json<{ v: number | string | null }>();
    return Number(row?.v ?? 0);
  }

  /** Every row of one version of a master, as stored (dates as YYYY-MM-DD). */
  async rowsOf<T>(kind: MasterKind, version: number): Promise<T[]> {
    const rs = await this.client.query({
      query: `SELECT * EXCEPT version FROM ${TABLE_OF[kind]} WHERE version = {version:UInt32}`,
      query_params: { version },
      format: 'JSONEachRow',
    });
    return rs.json<T>();
  }

  /** calendar.csv overrides of one master_calendar version. */
  async calendarOverrides(version: number): Promise<Array<{ date: string; kind: '開庁' | '閉庁'; note: string }>> {
    const rs = await this.client.query({
      query: `SELECT toString(date) AS date, kind, note FROM ${TABLES.calendar} WHERE version = {version:UInt32} ORDER BY date`,
      query_params: { version },
      format: 'JSONEachRow',
    });
    return rs.json();
  }

  private async nextVersion(kind: MasterKind): Promise<number> {
    // Also past any rows of an interrupted load, so versions never mix.
    const rs = await this.client.query({
      query: `SELECT greatest(
                (SELECT max(version) FROM ${TABLES.masterVersions} WHERE master = {master:String}),
                (SELECT max(version) FROM ${TABLE_OF[kind]})) AS v`,
      query_params: { master: kind },
      format: 'JSONEachRow',
    });
    const [row] = await rs.json<{ v: number | string }>();
    return Number(row?.v ?? 0) + 1;
  }
}
