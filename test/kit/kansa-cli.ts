import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BIN = resolve(__dirname, '..', '..', 'bin', 'kansa.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `kansa <args>` on a data directory, in a process of its own, as staff or cron run it (`env` over the test's); never rejects. */
export function kansaCli(dataDir: string, env: NodeJS.ProcessEnv = {}): (...args: string[]) => Promise<CliResult> {
  return async (...args) => {
    try {
      const { stdout, stderr } = await run(process.execPath, [BIN, '--data-dir', dataDir, ...args], {
        env: { ...process.env, KANSA_DATA_DIR: '', ...env },
        maxBuffer: 64 << 20,
      });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
}
