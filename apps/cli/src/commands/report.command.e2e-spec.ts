import { execFile } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openTestStore } from '@kansa/test-kit';
import { seedReportMonth } from '@kansa/analyzer/reports/testing/report-month.fixture';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

const run = promisify(execFile);
const KANSA = join(__dirname, '..', '..', '..', '..', 'bin', 'kansa.js');

/** `kansa report` as a user runs it: its own process on a data directory. */
describe('kansa report (command line)', () => {
  let dataDir: string;
  let out: string;
  let aprilEvents: number;

  beforeAll(async () => {
    const store = await openTestStore();
    await seedReportMonth(store);
    const [row] = await store.rows<{ n: string }>("SELECT count() AS n FROM events WHERE toYYYYMM(ts, 'Asia/Tokyo') = 202504");
    aprilEvents = Number(row.n);
    // Keep the data: the command opens the directory in its own process.
    await store.client.close();
    dataDir = store.dataDir;
    out = scratchDir('report-cli');
  }, 120_000);

  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  const kansa = (...args: string[]) =>
    run(process.execPath, [KANSA, '--data-dir', dataDir, ...args], { env: { ...process.env, TZ: 'America/New_York' } });

  it('writes the chosen formats and says what it wrote and what is incomplete, in Japanese', async () => {
    const { stdout } = await kansa('report', '--month', '2025-04', '--format', 'pdf,csv', '--out', out);
    expect(stdout).toContain('ログ分析結果報告書（2025-04）を作成しました。');
    expect(stdout).toContain(join(out, 'kansa-report-2025-04.pdf'));
    expect(stdout).toContain('注意: 対象月のデータは不完全です');
    expect(existsSync(join(out, 'kansa-report-2025-04.csv'))).toBe(true);
    expect(existsSync(join(out, 'kansa-report-2025-04.html'))).toBe(false);
  }, 120_000);

  it('prints machine-readable output with --json; the month is the JST month whatever the process time zone', async () => {
    const { stdout } = await kansa('--json', 'report', '--month', '2025-04', '--format', 'csv', '--out', out);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ month: '2025-04', complete: false });
    expect(result.events).toBeGreaterThan(5000);
    expect(result.events).toBe(aprilEvents);
    expect(result.files).toEqual([expect.objectContaining({ format: 'csv', path: join(out, 'kansa-report-2025-04.csv') })]);
  }, 120_000);

  it('an officer finalises the month with a reason: recorded, the report made again as 確定', async () => {
    const { stdout } = await kansa(
      'report',
      'finalize',
      '--month',
      '2025-04',
      '--by',
      '情報政策課長 山田',
      '--reason',
      '照会中の案件は5月分で報告',
      '--format',
      'pdf',
      '--out',
      out,
    );
    expect(stdout).toContain('ログ分析結果報告書（2025-04）を確定しました');
    expect(stdout).toContain('理由: 照会中の案件は5月分で報告');
    expect(stdout).toContain('  確定　ログ');
    const again = JSON.parse((await kansa('--json', 'report', '--month', '2025-04', '--format', 'csv', '--out', out)).stdout);
    expect(again).toMatchObject({ status: '確定', final: true });
  }, 120_000);

  it.each([
    [['report', 'finalize', '--month', '2025-04', '--by', '課長', '--reason', ' '], '--reason: state why the report is finalised'],
    [['report', 'finalize', '--by', '課長', '--reason', '理由を書く'], "required option '--month <YYYY-MM>' not specified"],
  ])(
    'refuses a finalisation without a month or a reason %p',
    async (args, message) => {
      const err = await kansa(...args).catch((e: { code: number; stderr: string }) => e);
      expect(err).toMatchObject({ code: 2 });
      expect((err as { stderr: string }).stderr).toContain(message);
    },
    60_000,
  );

  it.each([
    [['--month', '2025-4'], '--month: "2025-4" is not a date YYYY-MM'],
    [['--month', '2025-04', '--format', 'pdf,docx'], '--format: unknown format "docx"'],
  ])(
    'refuses bad input %p with exit code 2 and one line',
    async (args, message) => {
      const err = await kansa('report', ...args).catch((e: { code: number; stderr: string }) => e);
      expect(err).toMatchObject({ code: 2 });
      expect((err as { stderr: string }).stderr).toContain(message);
    },
    60_000,
  );

  it('says in one line which month could not be made and why, exit 1, when the output folder cannot be written', async () => {
    const blocked = join(out, 'a-file');
    writeFileSync(blocked, '');
    const err = await kansa('report', '--month', '2025-04', '--format', 'csv', '--out', join(blocked, 'x')).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(err).toMatchObject({ code: 1 });
    const said = (err as { stderr: string }).stderr.split('\n').filter((l) => l.startsWith('kansa: '));
    expect(said).toEqual([
      expect.stringMatching(/^kansa: 2025-04 の報告書を作成できませんでした \(the report could not be made\): ENOTDIR/),
    ]);
    expect((err as { stderr: string }).stderr).not.toContain('    at ');
    // the one line, not the service log's account of the same failure before it
    expect((err as { stderr: string }).stderr).not.toContain('ERROR');
  }, 60_000);
});
