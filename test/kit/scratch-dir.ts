import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where the test environment (test/kit/scratch-environment.js) finds them. */
const KEY = '__kansaScratchDirs';

/**
 * A new empty directory under the system's temporary one
 * (`kansa-<name>-XXXXXX`), for a test's files or data directory. It is
 * removed once the test file has run, after its own hooks, so a day of CI
 * runs does not fill /tmp and no test removes its own.
 */
export function scratchDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `kansa-${name}-`));
  const made = ((globalThis as Record<string, unknown>)[KEY] ??= []) as string[];
  made.push(dir);
  return dir;
}
