import { kansaCli } from '@kansa/test-kit/kansa-cli';
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

const ROOT = resolve(__dirname, '..', '..', '..', '..');

/**
 * `kansa storage compact` on a data directory written by the version before
 * the denser codecs (docs/storage.md "Upgrading a data directory"): the
 * upgrade happens as the command opens it, the older months are rewritten
 * and reported, and a second run has nothing left to do.
 */
describe('kansa storage compact after an upgrade', () => {
  const work = scratchDir('cli-compact');
  const dataDir = join(work, 'data');
  const kansa = kansaCli(dataDir);
  beforeAll(async () => {
    // the earlier kansa's data directory, written by a process of its own (one process per data directory)
    const script = `require(${JSON.stringify(join(ROOT, 'scripts', 'register'))});
      require(${JSON.stringify(join(ROOT, 'test', 'kit', 'data-dir-as-of'))})
        .writeDataDirAsOf(${JSON.stringify(dataDir)}, 160, ['2025-05', '2025-06']).catch((e) => { console.error(e); process.exit(1); });`;
    await promisify(execFile)('node', ['-e', script]);
  }, 60_000);

  it('rewrites the months stored before, a line each, then finds nothing to rewrite', async () => {
    const first = await kansa('storage', 'compact');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/ events \[1\/4\] 2025-05: 3,000行、[\d.]+ MB → [\d.]+ MB/);
    expect(first.stdout).toMatch(/ events \[2\/4\] 2025-06: 3,000行/);
    expect(first.stdout).toMatch(/ events_apart \[3\/4\] 2025-05: 2,000行、[\d.]+ MB → [\d.]+ MB/);
    expect(first.stdout).toMatch(/ events_apart \[4\/4\] 2025-06: 2,000行/);
    expect(first.stdout).toContain('書き直し完了: ログ 2か月・別保管 2か月');

    const again = await kansa('--json', 'storage', 'compact');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ months: [] });
  }, 60_000);
});
