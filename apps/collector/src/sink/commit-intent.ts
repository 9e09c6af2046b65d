import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
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
  startedAtMs: number;
  scope: CommitScope;
}

const INTENT_PREFIX = 'commit-intent-';

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
 * stored) and is removed.
 */
export function openStagingDir(dataDir: string): { dir: string; intents: CommitIntent[] } {
  const dir = join(dataDir, 'kansa-ingest-staging');
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
    if (!keep.some((id) => name.includes(id))) rmSync(join(dir, name), { recursive: true, force: true });
  }
  return { dir, intents };
}
