import { previousMonth } from '@kansa/calendar';
import { jstDay } from '@kansa/domain';
import { AccountsService } from '@kansa/service-shell';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConsoleUser } from '../console/console-user';
import { startTestService, TestService } from './service-harness';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

/**
 * An officer makes a report from the console and it cannot be made (here the
 * site's report.outputDir is a file, not a folder): the answer says which
 * month and why, and the reports page keeps saying so after a restart, until
 * the report is made.
 */
describe('kansa serve: a report that cannot be made', () => {
  const work = scratchDir('report-failure');
  const dataDir = join(work, 'data');
  const blocked = join(work, 'not-a-folder');
  writeFileSync(blocked, '');
  const month = previousMonth(jstDay(Date.now()));
  let svc: TestService | undefined;

  // (The automatic monthly job is off in the test service: only the officer's requests make, or fail to make, the report.)
  const start = (outputDir: string) => startTestService({ report: { outputDir } }, dataDir);

  afterAll(async () => {
    await svc?.close();
  });

  it('answers why, and the reports page says so until the report is made, across a restart', async () => {
    svc = await start(blocked);
    const made = await svc.app
      .get(AccountsService)
      .add({ name: 'report-officer', role: 'officer', departments: [] }, { kind: 'cli', name: 'test', role: 'cli' });
    let person = await ConsoleUser.login(svc.url, 'report-officer', made.oneTimePassword, 'report-password-2025');

    const refused = await person.request('POST', '/api/reports', { month });
    expect(refused.status).toBe(500);
    const body = (await refused.json()) as { message: string };
    expect(body.message).toMatch(
      new RegExp(`^${month} の報告書を作成できませんでした \\(the report could not be made\\): .*(ENOTDIR|EEXIST)`),
    );
    const status = async (p: ConsoleUser) =>
      p.json<{ made: boolean; lastFailure: { month: string; trigger: string; message: string } | null }>('GET', '/api/reports/status');
    expect(await status(person)).toMatchObject({
      made: false,
      lastFailure: { month, trigger: 'console', message: expect.stringMatching(/ENOTDIR|EEXIST/) },
    });

    // Restarted with the output folder mended: the failure is still shown, until the report is made.
    await svc.close();
    svc = await start(join(work, 'reports'));
    person = await ConsoleUser.login(svc.url, 'report-officer', 'report-password-2025');
    expect((await status(person)).lastFailure).toMatchObject({ month, trigger: 'console' });
    const files = await person.json<Array<{ month: string; format: string }>>('POST', '/api/reports', { month });
    expect(files.map((f) => `${f.month} ${f.format}`).sort()).toEqual(['csv', 'html', 'pdf', 'xlsx'].map((f) => `${month} ${f}`));
    expect(await status(person)).toMatchObject({ made: true, lastFailure: null });
  }, 180_000);
});
