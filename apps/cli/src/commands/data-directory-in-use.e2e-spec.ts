import { ClickHouseClient } from '@clickhouse/client';
import { openClickHouse } from '@kansa/storage';
import { join } from 'node:path';
import { kansaCli } from '@kansa/test-kit/kansa-cli';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

/**
 * The operator runs `kansa info` (or starts a second service) while `kansa serve` holds the embedded data
 * directory: one line says who holds it and what to do — not the engine's own error, nor a stack trace.
 */
describe('a command on a data directory another process holds', () => {
  const dir = scratchDir('in-use');
  const dataDir = join(dir, 'data');
  const kansa = kansaCli(dataDir);
  let held: ClickHouseClient;

  beforeAll(async () => {
    held = await openClickHouse({ dataDir });
  });
  afterAll(async () => {
    await held?.close();
  });

  it.each([
    ['kansa info', ['info']],
    ['kansa serve', ['serve', '--port', '0']],
  ])(
    '%s says in one line which process holds it, exit 1',
    async (_name, args) => {
      const run = await kansa(...args);
      expect({ code: run.code, lines: run.stderr.split('\n').filter(Boolean) }).toEqual({
        code: 1,
        lines: [
          expect.stringMatching(
            new RegExp(
              `^kansa: data directory ${dataDir} is in use by another kansa process \\(PID ${process.pid}, started .*\\(データディレクトリは別の kansa プロセス（PID ${process.pid}）が使用中です\\)$`,
            ),
          ),
        ],
      });
    },
    60_000,
  );

  it('on a machine without util-linux flock, the engine refuses the directory and kansa still names its holder, exit 1', async () => {
    const bin = scratchDir('no-flock-bin'); // PATH without flock: kansa cannot look before the engine tries
    const run = await kansaCli(dataDir, { PATH: bin })('info');
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n').at(-1)).toMatch(
      new RegExp(
        `^kansa: data directory ${dataDir} is in use by another kansa process \\(PID ${process.pid}, started .*（PID ${process.pid}）が使用中です\\)$`,
      ),
    );
  }, 60_000);
});
