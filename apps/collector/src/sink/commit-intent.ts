import { ClickHouseClient } from '@clickhouse/client';
import { TABLES } from '@kansa/storage';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CommitScope } from './staging.writer';

/**
 * A commit intent: written (and fsynced) into the embedded staging folder
 * before a batch's rows are moved into `events`, removed once its
 * `import_batches` row is written. One left behind means the process died in
 * between; the next process that opens the data directory completes that
 * batch (IngestService.recoverInterruptedCommits). It holds what the ledger
 * row needs and cannot be recomputed from stored rows.
 */
export interface CommitIntent {
  batchId: string;
  source: string;
  instance: string;
  transport: string;
  origin: string;
  fileSha256: string;
  linesRead: number;
  /** Event rows staged (stored + duplicates once committed). */
  staged: number;
  quarantined: number;
  /** Lines kept apart (events_apart); absent in intents written before they were kept (0). */
  apart?: number;
  startedAtMs: number;
  scope: CommitScope;
  /** The chain the batch belongs to (server mode; absent or '' for the embedded engine). */
  writer?: string;
  /** The staged rows' format (STAGING_FORMAT; absent: 1, before origins were staged). */
  stagingFormat?: number;
  /** The condition the SQL twin applied to accepted lines (event-checks.ts), to normalize them again alike. */
  checks?: string;
  /** A batch several requests share (HTTP group commit): the last line number of each request's lines, ascending. */
  shareEnds?: number[];
  /** Failed attempts to complete it for a reason other than storage being down (set aside at MAX_RECOVERY_ATTEMPTS). */
  attempts?: number;
}

/** The folder of the embedded staging folder that keeps the staged rows of set-aside batches. */
export const SET_ASIDE_DIR = 'set-aside';

/** Where commit intents are kept: files in the embedded staging folder, or a table on the ClickHouse server. */
export interface IntentStore {
  write(intent: CommitIntent): Promise<void>;
  remove(batchId: string): Promise<void>;
}

/** Embedded engine: a fsynced JSON file per intent in the staging folder. */
export class FileIntentStore implements IntentStore {
  constructor(private readonly dir: string) {}

  async write(intent: CommitIntent): Promise<void> {
    writeIntent(this.dir, intent);
  }

  async remove(batchId: string): Promise<void> {
    removeIntent(this.dir, batchId);
  }
}

/**
 * ClickHouse server: a row per intent in `commit_intents`, written before the
 * events insert; removing it writes a `done` row (the table keeps the newest
 * state per batch). Several processes share the table: each completes its
 * own intents and those of a writer of this host whose process is gone.
 */
export class TableIntentStore implements IntentStore {
  constructor(
    private readonly client: ClickHouseClient,
    private readonly writer: string,
  ) {}

  async write(intent: CommitIntent): Promise<void> {
    await this.put(intent.batchId, JSON.stringify({ ...intent, writer: this.writer }), 0);
  }

  async remove(batchId: string): Promise<void> {
    await this.put(batchId, '', 1);
  }

  /** Intents left by this writer (an earlier run under the same name) or by a dead process of this host. */
  async pending(): Promise<CommitIntent[]> {
    const rs = await this.client.query({
      query: `SELECT writer, intent FROM ${TABLES.commitIntents} FINAL WHERE done = 0 ORDER BY created_at`,
      format: 'JSONEachRow',
    });
    const rows = await rs.json<{ writer: string; intent: string }>();
    return rows.filter((r) => r.writer === this.writer || orphaned(r.writer)).map((r) => JSON.parse(r.intent) as CommitIntent);
  }

  private async put(batchId: string, intent: string, done: 0 | 1): Promise<void> {
    await this.client.insert({
      table: TABLES.commitIntents,
      values: [{ batch_id: batchId, writer: this.writer, intent, done }],
      format: 'JSONEachRow',
      // No per-query settings: the embedded engine's connection would make them the whole
      // session's. (The done row differs from the first, so no insert deduplication can drop it.)
    });
  }
}

/** A default writer name (host:pid) of this host whose process no longer runs. */
function orphaned(writer: string): boolean {
  const m = /^(.+):(\d+)$/.exec(writer);
  if (!m || m[1] !== hostname() || Number(m[2]) === process.pid) return false;
  try {
    process.kill(Number(m[2]), 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

const INTENT_PREFIX = 'commit-intent-';

/**
 * How many commits wait to be completed (the collector completes them when
 * it starts): read without touching anything, for `kansa info`.
 */
export async function countPendingIntents(client: ClickHouseClient, dataDir: string | undefined): Promise<number> {
  if (dataDir !== undefined) {
    const dir = join(dataDir, STAGING_DIR);
    return existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith(INTENT_PREFIX) && n.endsWith('.json')).length : 0;
  }
  const rs = await client.query({ query: `SELECT count() AS n FROM ${TABLES.commitIntents} FINAL WHERE done = 0`, format: 'JSONEachRow' });
  return Number((await rs.json<{ n: string }>())[0].n);
}

/** The staging folder inside an embedded data directory. */
export const STAGING_DIR = 'kansa-ingest-staging';

export function writeIntent(dir: string, intent: CommitIntent): void {
  const path = join(dir, `${INTENT_PREFIX}${intent.batchId}.json`);
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify(intent));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export function removeIntent(dir: string, batchId: string): void {
  rmSync(join(dir, `${INTENT_PREFIX}${batchId}.json`), { force: true });
}

/**
 * The staging folder of an embedded data directory, opened by the one process
 * that owns the data directory: the intents left behind are returned (their
 * staged files kept, to complete the commit); anything else there is from a
 * batch interrupted before its commit began (not acknowledged, nothing of it
 * stored) and is removed — but for the set-aside folder, kept for replays.
 */
export function openStagingDir(dataDir: string): { dir: string; intents: CommitIntent[] } {
  const dir = join(dataDir, STAGING_DIR);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const intents: CommitIntent[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(INTENT_PREFIX) || !name.endsWith('.json')) continue;
    try {
      intents.push(JSON.parse(readFileSync(join(dir, name), 'utf8')) as CommitIntent);
    } catch {
      // written with fsync then renamed: an unreadable one is not ours
    }
  }
  const keep = intents.map((i) => i.batchId);
  for (const name of readdirSync(dir)) {
    if (name === SET_ASIDE_DIR) continue;
    if (!keep.some((id) => name.includes(id))) rmSync(join(dir, name), { recursive: true, force: true });
  }
  return { dir, intents };
}
