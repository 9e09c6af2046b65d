import { ClickHouseClient } from '@clickhouse/client';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyStorageError } from './storage-errors';
import { TABLES } from './tables';

export const MIGRATIONS_DIR = join(__dirname, '..', 'migrations');

export interface Migration {
  version: number;
  name: string;
  statements: string[];
  checksum: string;
}

/** Numbered `NNN_name.sql` files; statements separated by a line ending in `;`. */
export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const text = readFileSync(join(dir, file), 'utf8');
      const statements = text
        .split(/;\s*$/m)
        .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
        .filter((s) => s.length > 0);
      return {
        version: Number(file.slice(0, 3)),
        name: file.replace(/\.sql$/, ''),
        statements,
        checksum: createHash('sha256').update(text).digest('hex'),
      };
    });
}

/** The columns of the record of applied migrations (TABLES.migrations). */
export const MIGRATIONS_LEDGER_COLUMNS = `version UInt32, name String, checksum String, applied_at DateTime64(3, 'Asia/Tokyo') DEFAULT now64(3)`;

/**
 * How long a process on a ClickHouse server waits for another to record a
 * migration its own statements failed on. Several kansa processes started at
 * once on a new database, or after an upgrade (a collector and the analyzer),
 * apply the same migrations side by side; a statement of one can fail on what
 * the other did a moment before (a column renamed, then its name given to a
 * new one: `migration 240_events_raw_residual failed: Cannot rename to
 * raw_line`).
 */
export const CONCURRENT_MIGRATION_WAIT_MS = 120_000;

export interface MigrateOptions {
  /**
   * Wait this long for another process to record a migration that failed
   * here, and go on if it does (0: fail at once; the embedded engine's data
   * directory belongs to one process, so none can be applying it).
   */
  othersWaitMs?: number;
}

/**
 * Applies every migration not yet recorded, in order, and records it. Safe to
 * run at every start (statements are IF NOT EXISTS; applied ones are skipped).
 * Migrations change the schema only (no statement copies rows), so one
 * applied by two processes at once ends as if applied once; a statement that
 * fails because of the other's is waited out (othersWaitMs).
 */
export async function migrate(client: ClickHouseClient, dir = MIGRATIONS_DIR, options: MigrateOptions = {}): Promise<string[]> {
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS ${TABLES.migrations} (${MIGRATIONS_LEDGER_COLUMNS}) ENGINE = MergeTree ORDER BY version`,
  });
  const applied = await appliedVersions(client);
  const done: string[] = [];
  for (const m of readMigrations(dir)) {
    if (applied.has(m.version)) continue;
    try {
      for (const statement of m.statements) await client.command({ query: statement });
    } catch (err) {
      const waitMs = couldBeAnothers(err) ? (options.othersWaitMs ?? 0) : 0;
      if (await recordedByAnother(client, m.version, waitMs)) continue;
      const waited = waitMs ? ` (no other kansa process recorded it within ${waitMs / 1000} s)` : '';
      throw new Error(`migration ${m.name} failed${waited}: ${(err as Error).message}`, { cause: err });
    }
    await client.insert({
      table: TABLES.migrations,
      values: [{ version: m.version, name: m.name, checksum: m.checksum }],
      format: 'JSONEachRow',
    });
    done.push(m.name);
  }
  return done;
}

/**
 * ClickHouse codes no other process's migration can cause: the statement
 * itself or this server is at fault (a statement the server cannot parse or
 * run, rights). A migration failing so fails at once instead of after the
 * wait for another process (CONCURRENT_MIGRATION_WAIT_MS).
 */
const NOT_FROM_ANOTHER = new Set([
  '1', // UNSUPPORTED_METHOD
  '46', // UNKNOWN_FUNCTION
  '48', // NOT_IMPLEMENTED
  '50', // UNKNOWN_TYPE
  '62', // SYNTAX_ERROR
  '115', // UNKNOWN_SETTING
  '344', // SUPPORT_IS_DISABLED
  '497', // ACCESS_DENIED
  '516', // AUTHENTICATION_FAILED
]);

/** Whether a failed migration statement may have failed on what another process's migration did a moment before. */
function couldBeAnothers(err: unknown): boolean {
  return !NOT_FROM_ANOTHER.has(classifyStorageError(err).code.split(' ')[0]);
}

async function appliedVersions(client: ClickHouseClient): Promise<Set<number>> {
  const rows = await (
    await client.query({ query: `SELECT version FROM ${TABLES.migrations}`, format: 'JSONEachRow' })
  ).json<{ version: number }>();
  return new Set(rows.map((r) => Number(r.version)));
}

/** Whether another process records `version` within `waitMs` (polled twice a second). */
async function recordedByAnother(client: ClickHouseClient, version: number, waitMs: number): Promise<boolean> {
  const until = Date.now() + waitMs;
  for (;;) {
    if ((await appliedVersions(client)).has(version)) return true;
    if (Date.now() >= until) return false;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * Applies settings that come from configuration rather than from a migration:
 * events are kept `years` after their time, quarantined lines and lines
 * kept apart `years` after they arrived (what could not be stored is kept as
 * long as what was), the explanations of accesses as long as the accesses
 * they explain (and the record of which days they were written for).
 */
export async function applyRetention(client: ClickHouseClient, years: number): Promise<void> {
  const n = Math.trunc(years);
  await client.command({ query: `ALTER TABLE ${TABLES.events} MODIFY TTL toDateTime(ts) + INTERVAL ${n} YEAR` });
  await client.command({ query: `ALTER TABLE ${TABLES.quarantine} MODIFY TTL toDateTime(received_at) + INTERVAL ${n} YEAR` });
  await client.command({ query: `ALTER TABLE ${TABLES.eventsApart} MODIFY TTL toDateTime(received_at) + INTERVAL ${n} YEAR` });
  await client.command({ query: `ALTER TABLE ${TABLES.accessExplanations} MODIFY TTL day + INTERVAL ${n} YEAR` });
  await client.command({ query: `ALTER TABLE ${TABLES.preparedDays} MODIFY TTL day + INTERVAL ${n} YEAR` });
}
