import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Who holds an embedded data directory, as its engine wrote it in `status` (PID, when it started). */
export interface DirectoryHolder {
  pid?: number;
  startedAt?: string;
}

/** Directories this process opened: its own engine holds their lock, which a look from outside would take for another's. */
const openedHere = new Set<string>();

/**
 * Whether another process holds the embedded engine's lock on `dataDir`, and who, looked at before the engine
 * itself tries: the engine takes an exclusive `flock` on `<dataDir>/status` and writes its PID there, and when it
 * cannot take the lock it prints its own error on the process's standard error before kansa can say anything. The
 * look uses util-linux's `flock -n` (part of every Debian); without it, or for a directory this process already
 * opened, it answers null and the engine's own refusal decides, as before.
 */
export function holderOf(dataDir: string): DirectoryHolder | null {
  const status = join(dataDir, 'status');
  if (openedHere.has(dataDir) || !existsSync(status)) return null;
  const BUSY = 75;
  const look = spawnSync('flock', ['--nonblock', '--conflict-exit-code', String(BUSY), status, 'true'], {
    stdio: 'ignore',
    timeout: 10_000,
  });
  if (look.error || look.status !== BUSY) return null;
  return recordedHolder(dataDir);
}

/**
 * Who the engine's `status` file names as holding `dataDir`, without looking at the lock: for when the engine
 * itself refused the directory (no `flock` to look first). Empty when the file names nobody, or this process.
 */
export function recordedHolder(dataDir: string): DirectoryHolder {
  const holder = describeHolder(readStatus(join(dataDir, 'status')));
  return holder.pid === process.pid ? {} : holder;
}

/** Records that this process's engine now holds `dataDir`. */
export function openedByThisProcess(dataDir: string): void {
  openedHere.add(dataDir);
}

function readStatus(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** `PID: 14438` and `Started at: 2026-12-05 11:57:57` of the engine's status file. */
function describeHolder(status: string): DirectoryHolder {
  const pid = /^PID: (\d+)$/m.exec(status)?.[1];
  const startedAt = /^Started at: (.+)$/m.exec(status)?.[1]?.trim();
  return { ...(pid ? { pid: Number(pid) } : {}), ...(startedAt ? { startedAt } : {}) };
}
