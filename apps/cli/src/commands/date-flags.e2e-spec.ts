import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

const run = promisify(execFile);
const BIN = resolve(__dirname, '..', '..', '..', '..', 'bin', 'kansa.js');

/** Every date flag of the CLI goes through the one check of the API parameters (libs/calendar date-input). */
describe('kansa: date flags are real calendar dates', () => {
  const work = scratchDir('cli-dates');
  const kansa = async (...args: string[]) => {
    try {
      await run('node', [BIN, '--data-dir', join(work, 'data'), ...args], {
        env: { ...process.env, KANSA_DATA_DIR: '', CLICKHOUSE_URL: '' },
      });
      return { code: 0, stderr: '' };
    } catch (err) {
      const e = err as { code: number; stderr: string };
      return { code: e.code, stderr: e.stderr };
    }
  };

  it.each([
    [['findings', '--from', '2026-02-30'], '--from: "2026-02-30" is not a date YYYY-MM-DD'],
    [['findings', '--to', '9999-99-99'], '--to: "9999-99-99" is not a date YYYY-MM-DD'],
    [['analyze', '--from', '2026-13-45', '--to', '2026-12-31'], '--from: "2026-13-45" is not a date YYYY-MM-DD'],
    [['coverage', '--from', '2026-02-30'], '--from: "2026-02-30" is not a date YYYY-MM-DD'],
    [['verify', '--to', '2026-02-30'], '--to: "2026-02-30" is not a date YYYY-MM-DD'],
    [['events', '--user', 'K000001', '--purpose', '調査', '--from', '2026-13-45'], '--from: "2026-13-45" is not a date YYYY-MM-DD'],
    [['report', '--month', '2026-13'], '--month: "2026-13" is not a date YYYY-MM'],
    [['findings', '--from', '2025-05-01', '--to', '2025-04-01'], '--from: 2025-05-01 is after --to 2025-04-01'],
  ])(
    '%j → exit 2 naming the flag and the value',
    async (args, message) => {
      const r = await kansa(...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`kansa: ${message}`);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    },
    60_000,
  );
});
