import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { previousMonth } from '@kansa/calendar';
import { describeWithBrowser, launchBrowser } from '@kansa/test-kit/browser';
import { kansaCli } from '@kansa/test-kit/kansa-cli';
import { ServiceProcess, startKansaServe, writeSiteConfig } from '../faults/fault-harness';
import { ConsoleUser } from './console-user';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

/** Where the pages' screenshots go (docs/console.md shows them; copied from here). */
const SHOTS = join(__dirname, '..', 'artifacts', 'console');
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const IDLE_SECONDS = 40; // long enough for the slowest step of a test on a loaded machine, short enough to wait for
const PASSWORD = 'kansa-console-e2e-2025';

interface Row {
  id: string;
  departmentCode: string;
  departmentName: string;
  userId: string;
  rule: string;
  day: string;
  subject: string;
  status: string;
}

/**
 * The console in headless Chromium against a real `kansa serve` (its own
 * process, embedded storage) on the demo month: log-in, triage end to end,
 * the 開示請求 search and its audit row, a reviewer kept to their department
 * (page and API), session expiry, CSRF refusal, lockout, every page checked by
 * axe-core, and a screenshot of each page.
 */
describeWithBrowser('the console (管理画面) in a real browser on the demo month', () => {
  const work = scratchDir('console-e2e');
  const dataDir = join(work, 'data');
  let service: ServiceProcess;
  let url: string;
  let browser: Browser;
  let admin: ConsoleUser;
  let officer: ConsoleUser;
  let auditor: ConsoleUser;
  let findings: Row[];
  /** Two departments that have findings: the reviewer's, and another. */
  let mine: Row;
  let theirs: Row;
  /** What the demo recorded of casework: its approved exception and the case it opened for a 継続監視対象. */
  let casework: {
    exceptions: Array<{ id: string; reference: string; reason: string }>;
    repeatCase: { caseId: string; userId: string; reasons: string[]; findings: number };
  };

  beforeAll(async () => {
    const demo = await kansaCli(dataDir)('demo', '--month', '2025-04', '--staff', '60', '--out', join(work, 'demo'), '--json');
    if (demo.code !== 0) throw new Error(`demo failed: ${demo.stderr}`);
    const summary = JSON.parse(demo.stdout) as { console: { people: Array<{ name: string; oneTimePassword: string }> } } & {
      casework: typeof casework;
    };
    const people = summary.console.people;
    casework = summary.casework;
    const otp = (name: string) => people.find((p) => p.name === name)!.oneTimePassword;
    const config = writeSiteConfig(work, {
      // The automatic monthly report checks only on 1 January (JST), where last month can only wait for its analysis:
      // it never makes a report while these tests run (one test expects last month's to be missing until made).
      report: { outputDir: join(work, 'reports'), cron: '0 0 1 1 *' },
      auth: { sessionIdleSeconds: IDLE_SECONDS, sessionMaxSeconds: 3600, maxFailedLogins: 3, lockoutSeconds: 120 },
    });
    ({ service, url } = await startKansaServe(['--data-dir', dataDir, '--config', config]));
    admin = await ConsoleUser.login(url, 'demo-admin', otp('demo-admin'), PASSWORD);
    const first = await ConsoleUser.login(url, 'demo-officer', otp('demo-officer'));
    expect((await first.request('GET', '/api/console/findings')).status).toBe(403); // one-time password: nothing but the change
    officer = await ConsoleUser.login(url, 'demo-officer', otp('demo-officer'), PASSWORD);
    findings = (await officer.json<{ items: Row[] }>('GET', '/api/console/findings?from=2025-04-01&to=2025-04-30&pageSize=500')).items;
    mine = findings.find((f) => f.departmentCode)!;
    theirs = findings.find((f) => f.departmentCode && f.departmentCode !== mine.departmentCode)!;
    for (const [name, role] of [
      ['監査 花子', 'auditor'],
      ['閲覧 次郎', 'viewer'],
      ['lock-test', 'viewer'],
    ] as const) {
      const made = await admin.json<{ oneTimePassword: string }>('POST', '/api/users', { name, role, departments: [] });
      if (role === 'auditor') auditor = await ConsoleUser.login(url, name, made.oneTimePassword, PASSWORD);
      else await ConsoleUser.login(url, name, made.oneTimePassword, PASSWORD);
    }
    browser = await launchBrowser();
    mkdirSync(SHOTS, { recursive: true });
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    await service?.stop();
  });

  /** A fresh browser (Japanese, JST) logged in through the log-in page. */
  async function loggedIn(
    name: string,
    password = PASSWORD,
  ): Promise<{ context: BrowserContext; page: Page; outside: string[]; errors: string[] }> {
    const context = await browser.newContext({
      locale: 'ja-JP',
      timezoneId: 'Asia/Tokyo',
      viewport: { width: 1400, height: 900 },
      acceptDownloads: true,
    });
    const page = await context.newPage();
    const outside: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(url) && !r.url().startsWith('blob:') && !r.url().startsWith('data:')) outside.push(r.url());
    });
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url + '/');
    await page.getByLabel('利用者名').fill(name);
    await page.getByLabel('パスワード').fill(password);
    await page.getByRole('button', { name: 'ログイン' }).click();
    await page.getByRole('navigation', { name: 'メニュー' }).waitFor();
    return { context, page, outside, errors };
  }

  /** axe-core on the page as it is: no serious or critical violation. */
  async function expectAccessible(page: Page, what: string): Promise<void> {
    await page.evaluate(AXE); // evaluated through the DevTools protocol: the page's CSP stays as it is
    const violations = await page.evaluate(async () => {
      const result = await (
        globalThis as unknown as {
          axe: { run(o: unknown): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: unknown }> }> }> };
        }
      ).axe.run({
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      });
      return result.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id}: ${JSON.stringify(v.nodes.slice(0, 3).map((n) => n.target))}`);
    });
    expect({ page: what, violations }).toEqual({ page: what, violations: [] });
  }

  /** The page as a person sees it (long lists: the first screen). */
  async function shot(page: Page, name: string, fullPage = true): Promise<void> {
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
  }

  it('logs in with the one-time password, makes the person change it, then shows the dashboard of the month', async () => {
    const { oneTimePassword } = await admin.json<{ oneTimePassword: string }>('POST', '/api/users', {
      name: '新任 担当',
      role: 'officer',
      departments: [],
    });
    const context = await browser.newContext({ locale: 'ja-JP', timezoneId: 'Asia/Tokyo', viewport: { width: 1400, height: 900 } });
    try {
      const page = await context.newPage();
      await page.goto(url + '/');
      await expectAccessible(page, 'ログイン');
      await shot(page, '00-login');
      await page.getByLabel('利用者名').fill('新任 担当');
      await page.getByLabel('パスワード').fill(oneTimePassword);
      await page.getByRole('button', { name: 'ログイン' }).click();
      await page.getByRole('heading', { name: 'パスワードの変更' }).waitFor();
      await expectAccessible(page, 'パスワードの変更');
      await page.getByLabel('現在のパスワード').fill(oneTimePassword);
      await page.getByLabel('新しいパスワード', { exact: true }).fill(PASSWORD);
      await page.getByLabel('新しいパスワード (確認)').fill(PASSWORD);
      await page.getByRole('button', { name: '変更する' }).click();
      await page.getByRole('heading', { name: /ダッシュボード/ }).waitFor();
    } finally {
      await context.close();
    }
    expect(mine && theirs).toBeTruthy();

    const { context: c2, page, outside, errors } = await loggedIn('demo-officer');
    try {
      await page.goto(url + '/?month=2025-04');
      await page.locator('[data-count="findings"]').waitFor();
      expect(Number((await page.locator('[data-count="findings"]').innerText()).replace(/,/g, ''))).toBe(findings.length);
      await expect(page.locator('.chart svg').count()).resolves.toBe(3);
      await expectAccessible(page, 'ダッシュボード');
      await shot(page, '01-dashboard');
      expect(outside).toEqual([]); // fonts, scripts, styles: all from kansa itself
      expect(errors).toEqual([]); // nothing the CSP refused, no script error
    } finally {
      await c2.close();
    }
  }, 180_000);

  it('triages a finding end to end: list, filter, open, review, decide with a comment; history and audit log record it', async () => {
    const { context, page, errors } = await loggedIn('demo-officer');
    try {
      const target = findings.find((f) => f.status === 'new' && f.id !== mine.id && f.id !== theirs.id)!;
      await page.goto(`${url}/findings?from=2025-04-01&to=2025-04-30`);
      await page.locator('table.data tbody tr').first().waitFor();
      await expectAccessible(page, '検知一覧');
      await shot(page, '02-findings');
      // A filter goes into the URL, so the same list can be reopened.
      await page.getByLabel('状態').selectOption('new');
      await page.waitForURL(/status=new/);
      await page.goto(`${url}/findings/${target.id}`);
      await page.getByRole('heading', { name: '確認・判断' }).waitFor();
      await page.getByLabel('次の状態').selectOption('reviewing');
      await page.getByLabel('コメント (判断の理由、必須)').fill('所属に確認を依頼');
      await page.getByRole('button', { name: '記録する' }).click();
      await page.locator('ol.history li', { hasText: '確認中' }).waitFor();
      await page.getByLabel('次の状態').selectOption('no_issue');
      await page.getByLabel('コメント (判断の理由、必須)').fill('窓口での本人確認のため。業務上必要');
      await page.getByRole('button', { name: '記録する' }).click();
      await page.locator('ol.history li', { hasText: '業務上必要・問題なし' }).waitFor();
      await page.getByRole('button', { name: '行を表示' }).first().click();
      await page.locator('code.raw').first().waitFor();
      await expectAccessible(page, '検知詳細');
      await shot(page, '03-finding');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
    const detail = await officer.json<{ history: Array<{ by: string; to: string; comment: string }> }>(
      'GET',
      `/api/console/findings/${findings.find((f) => f.status === 'new' && f.id !== mine.id && f.id !== theirs.id)!.id}`,
    );
    expect(detail.history.map((h) => [h.by, h.to, h.comment])).toEqual([
      ['demo-officer', 'reviewing', '所属に確認を依頼'],
      ['demo-officer', 'no_issue', '窓口での本人確認のため。業務上必要'],
    ]);
    const audit = await auditor.json<{ rows: Array<{ client: string; detail: string; outcome: string }> }>('GET', '/api/audit?kind=triage');
    expect(
      audit.rows.filter((r) => r.client === 'demo-officer' && r.outcome === 'ok').map((r) => (JSON.parse(r.detail) as { to: string }).to),
    ).toEqual(expect.arrayContaining(['reviewing', 'no_issue']));
  }, 180_000);

  it("shows a finding's parameters as staff read them: a device ID as it is written, a list joined, not JSON", async () => {
    const { context, page, errors } = await loggedIn('demo-officer');
    try {
      await page.goto(`${url}/findings/${findings.find((f) => f.rule === 'external-media')!.id}`);
      const devices = await page.locator('dl.facts .pair', { hasText: 'approvedDevices' }).locator('dd').innerText();
      expect(devices).toMatch(/^USB\\VID_\w+&PID_\w+\\\w+(、USB\\VID_\w+&PID_\w+\\\w+)*$/);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('searches who touched a resident (開示請求) with purpose and reference, exports it, and records both', async () => {
    // A resident some staff member of a finding looked up.
    const seen = await officer.json<{ events: Array<{ subjectId: string }> }>(
      'GET',
      `/api/events?user=${findings.find((f) => f.userId)!.userId}&purpose=${encodeURIComponent('試験')}&limit=5000`,
    );
    const subject = seen.events.map((e) => e.subjectId).find((s) => /^\d{10}$|^\d{15}$/.test(s))!;
    expect(subject).toBeDefined();
    const { context, page } = await loggedIn('demo-officer');
    try {
      await page.getByRole('link', { name: '住民の照会履歴 (開示請求)' }).click();
      await page.getByLabel('宛名番号 または 統合宛名番号').fill(subject);
      await page.getByLabel('利用目的 (必須)').fill('開示請求への回答');
      await page.getByLabel('受付番号 (必須)').fill('令和7年 第12号');
      await page.getByRole('button', { name: '検索する' }).click();
      await page.getByRole('heading', { name: /へのアクセス/ }).waitFor();
      await expectAccessible(page, '住民の照会履歴');
      await shot(page, '04-subject-search');
      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: 'CSV で出力' }).click();
      const file = await download;
      expect(file.suggestedFilename()).toMatch(/\.csv$/);
      const text = readFileSync((await file.path())!, 'utf8');
      expect(text).toContain('開示請求への回答');
      expect(text).toContain('令和7年 第12号');
    } finally {
      await context.close();
    }
    const reads = await auditor.json<{ rows: Array<{ kind: string; client: string; purpose: string; reference: string; query: string }> }>(
      'GET',
      '/api/audit?kind=read,export&actor=demo-officer',
    );
    const search = reads.rows.filter((r) => r.reference === '令和7年 第12号');
    expect(search.map((r) => r.kind).sort()).toEqual(['export', 'read']);
    for (const r of search) {
      expect(r.purpose).toBe('開示請求への回答');
      expect(JSON.parse(r.query)).toMatchObject({ subject });
    }
    // A person may not search a resident without the request's reference.
    expect((await officer.request('GET', `/api/events?subject=${subject}&purpose=${encodeURIComponent('開示請求')}`)).status).toBe(400);
  }, 120_000);

  it("shows the demo's case with its linked findings, the month's 継続監視対象 and the approved exception; an officer records on the case", async () => {
    const { caseId, userId, reasons } = casework.repeatCase;
    const linked = (await officer.json<{ findingIds: string[] }>('GET', `/api/cases/${caseId}`)).findingIds;
    expect(linked.length).toBe(casework.repeatCase.findings);
    expect(linked.length).toBeGreaterThan(0);
    const { context, page, errors } = await loggedIn('demo-officer');
    try {
      await page.getByRole('link', { name: '事案', exact: true }).click();
      await page.getByLabel('対象月').fill('2025-04');
      await page.waitForURL(/month=2025-04/);
      const patterns = page.getByRole('table', { name: '継続監視対象' });
      await patterns.locator('tbody tr', { hasText: userId }).waitFor();
      for (const reason of reasons) await expect(patterns.locator('tbody tr', { hasText: userId }).innerText()).resolves.toContain(reason);
      const caseRow = page.getByRole('table', { name: '事案の一覧' }).locator('tbody tr', { hasText: caseId });
      await expect(caseRow.innerText()).resolves.toMatch(/受付/);
      await page.getByLabel('状態').selectOption('closed');
      await page.getByRole('table', { name: '事案の一覧' }).getByText('該当する事案はありません。').waitFor();
      await page.getByLabel('状態').selectOption('open');
      await caseRow.waitFor();
      await expectAccessible(page, '事案');
      await shot(page, '10-cases');

      await caseRow.getByRole('link', { name: caseId }).click();
      await page.getByRole('heading', { name: new RegExp(`^事案 ${caseId}`) }).waitFor();
      const rows = page.getByRole('table', { name: '結びつけた検知' }).locator('tbody tr');
      await rows.first().waitFor();
      const hrefs = await rows.getByRole('link').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
      expect(hrefs.sort()).toEqual(linked.map((id) => `/findings/${id}`).sort());
      // Closing needs the outcome: the API's refusal is shown as it says it.
      await page.getByLabel('次の状態').selectOption('closed');
      await page.getByRole('button', { name: '状態を変える' }).click();
      await page.getByRole('alert').filter({ hasText: '結果を記入してください' }).waitFor();
      await page.getByLabel('次の状態').selectOption('investigating');
      await page.getByRole('button', { name: '状態を変える' }).click();
      await page.locator('ol.history li', { hasText: '→ 調査中' }).waitFor();
      await page.getByLabel('メモ').fill('所属長に連絡済み');
      await page.getByRole('button', { name: 'メモを残す' }).click();
      await page.locator('ol.history li', { hasText: '所属長に連絡済み' }).waitFor();
      await expectAccessible(page, '事案の詳細');
      await shot(page, '11-case');
      await rows.getByRole('link').first().click();
      await page.getByRole('heading', { name: '確認・判断' }).waitFor();

      const [exception] = casework.exceptions;
      expect(exception.reference).toBe('市民税課 決裁第202504-018号');
      await page.getByRole('link', { name: '例外承認', exact: true }).click();
      const exceptionRow = page.getByRole('table', { name: '例外承認の一覧' }).locator('tbody tr', { hasText: exception.reference });
      await exceptionRow.waitFor();
      const text = await exceptionRow.innerText();
      for (const part of [exception.reason, '大量出力', '有効']) expect(text).toContain(part);
      await expectAccessible(page, '例外承認');
      await shot(page, '12-exceptions');
      await exceptionRow.getByRole('link', { name: exception.reference }).click();
      await page.getByRole('heading', { name: new RegExp(`^例外承認 ${exception.id}`) }).waitFor();
      const versions = page.getByRole('table', { name: '例外承認の版' }).locator('tbody tr');
      await versions.filter({ hasText: exception.reference }).waitFor();
      await expect(versions.count()).resolves.toBe(1);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
    const after = await officer.json<{ state: string; timeline: Array<{ kind: string; by: string; text: string }> }>(
      'GET',
      `/api/cases/${caseId}`,
    );
    expect(after.state).toBe('investigating');
    expect(after.timeline.filter((e) => e.kind === 'note').map((e) => [e.by, e.text])).toEqual([['demo-officer', '所属長に連絡済み']]);
  }, 180_000);

  it('lets an officer approve an exception (the refusal shown as the API says it) and revoke it with a reason; a reviewer sees no form', async () => {
    const target = findings.find((f) => f.userId && f.day.startsWith('2025-04'))!;
    const reference = '市民課 決裁第202504-099号';
    const { context, page, errors } = await loggedIn('demo-officer');
    try {
      await page.getByRole('link', { name: '例外承認', exact: true }).click();
      const form = page.getByRole('form', { name: '例外承認の登録' });
      await form.getByLabel('ルール').selectOption(target.rule);
      await form.getByLabel('対象の職員ID').fill(target.userId);
      await form.getByLabel('有効期間 (から)').fill('2025-04-01');
      await form.getByLabel('有効期間 (まで)').fill('2025-04-30');
      await form.getByLabel('理由').fill('年度当初の一括処理のため');
      await form.getByLabel('決裁番号').fill(reference);
      await form.getByLabel('申請者').fill('市民課 山田');
      await form.getByLabel('承認者').fill('市民課 山田');
      await form.getByRole('button', { name: '登録する' }).click();
      await form.getByRole('alert').filter({ hasText: '申請者と承認者は別の人にしてください' }).waitFor();
      await expectAccessible(page, '例外承認の登録');
      await form.getByLabel('承認者').fill('市民課長 佐藤');
      // the systems offered are every one configured that stores operations, Windows event logs included
      await form.getByLabel('業務端末（Windows イベントログ）').check();
      await expect(form.getByLabel('業務記録').count()).resolves.toBe(0);
      await form.getByRole('button', { name: '登録する' }).click();
      await form
        .getByRole('status')
        .filter({ hasText: `登録しました: ${reference}` })
        .waitFor();
      const row = page.getByRole('table', { name: '例外承認の一覧' }).locator('tbody tr', { hasText: reference });
      await row.waitFor();
      const text = await row.innerText();
      for (const part of [
        target.userId,
        '年度当初の一括処理のため',
        '市民課 山田',
        '市民課長 佐藤',
        '有効',
        'システム 業務端末（Windows イベントログ）',
      ])
        expect(text).toContain(part);
      await shot(page, '13-exception-added');

      await row.getByRole('link', { name: reference }).click();
      await page.getByRole('heading', { name: new RegExp(`^例外承認 \\S+ — ${reference}`) }).waitFor();
      await page.getByLabel('取消の理由').fill('処理が終わったため');
      await page.getByRole('button', { name: '取り消す' }).click();
      const versions = page.getByRole('table', { name: '例外承認の版' }).locator('tbody tr');
      await versions.filter({ hasText: '処理が終わったため' }).waitFor();
      await expect(versions.allInnerTexts()).resolves.toEqual([expect.stringContaining('有効'), expect.stringContaining('取消')]);
      await expect(page.getByRole('button', { name: '取り消す' }).count()).resolves.toBe(0);
      await expectAccessible(page, '例外承認の詳細');
      await page.getByRole('link', { name: '← 例外承認' }).click();
      await page
        .getByRole('table', { name: '例外承認の一覧' })
        .locator('tbody tr', { hasText: reference })
        .filter({ hasText: '取消' })
        .waitFor();
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
    const listed = await officer.json<{ exceptions: Array<{ id: string; reference: string }> }>('GET', '/api/exceptions');
    const added = listed.exceptions.filter((e) => e.reference === reference);
    expect(added).toHaveLength(1);
    const history = await officer.json<Array<{ state: string; approvedBy: string; changedBy: string; note: string }>>(
      'GET',
      `/api/exceptions/${added[0].id}`,
    );
    expect(history.map((v) => [v.state, v.approvedBy, v.changedBy, v.note])).toEqual([
      ['active', '市民課長 佐藤', 'demo-officer', ''],
      ['revoked', '市民課長 佐藤', 'demo-officer', '処理が終わったため'],
    ]);

    // A reviewer (no exceptions.approve) reads the exceptions but has neither the form nor the revocation.
    const made = await admin.json<{ oneTimePassword: string }>('POST', '/api/users', {
      name: '例外 確認者',
      role: 'reviewer',
      departments: [mine.departmentCode],
    });
    await ConsoleUser.login(url, '例外 確認者', made.oneTimePassword, PASSWORD);
    const reviewer = await loggedIn('例外 確認者');
    try {
      const [demoException] = casework.exceptions;
      await reviewer.page.getByRole('link', { name: '例外承認', exact: true }).click();
      await reviewer.page
        .getByRole('table', { name: '例外承認の一覧' })
        .locator('tbody tr', { hasText: demoException.reference })
        .waitFor();
      await expect(reviewer.page.getByRole('heading', { name: '例外承認を登録する' }).count()).resolves.toBe(0);
      await expect(reviewer.page.getByRole('form', { name: '例外承認の登録' }).count()).resolves.toBe(0);
      await reviewer.page.getByRole('link', { name: demoException.reference }).click();
      await reviewer.page.getByRole('table', { name: '例外承認の版' }).locator('tbody tr').first().waitFor();
      await expect(reviewer.page.getByRole('button', { name: '取り消す' }).count()).resolves.toBe(0);
    } finally {
      await reviewer.context.close();
    }
  }, 240_000);

  it("opens a case from a finding's page (findings.triage) and shows it with the finding linked; an auditor has no such form", async () => {
    const finding = findings.filter((f) => f.userId).at(-1)!;
    const title = `検知 ${finding.id} の調査`;
    const { context, page, errors } = await loggedIn('demo-officer');
    try {
      await page.goto(`${url}/findings/${finding.id}`);
      await page.getByLabel('事案の件名').fill(title);
      await page.getByRole('button', { name: '事案を開く' }).click();
      await page.getByRole('heading', { name: new RegExp(`^事案 \\S+ — ${title}$`) }).waitFor();
      await page.getByRole('table', { name: '結びつけた検知' }).locator(`a[href="/findings/${finding.id}"]`).waitFor();
      await expectAccessible(page, '事案 (開いたところ)');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
    const opened = (
      await officer.json<Array<{ title: string; userId: string; owner: string; state: string; findingIds: string[] }>>('GET', '/api/cases')
    ).filter((c) => c.title === title);
    expect(opened.map((c) => [c.userId, c.owner, c.state, c.findingIds])).toEqual([[finding.userId, 'demo-officer', 'open', [finding.id]]]);

    const audit = await loggedIn('監査 花子');
    try {
      await audit.page.goto(`${url}/findings/${finding.id}`);
      await audit.page.getByRole('heading', { name: '確認・判断' }).waitFor();
      await expect(audit.page.getByRole('button', { name: '事案を開く' }).count()).resolves.toBe(0);
    } finally {
      await audit.context.close();
    }
  }, 180_000);

  it("keeps a reviewer to their department: another department's finding is refused on the page and by the API", async () => {
    const made = await admin.json<{ oneTimePassword: string }>('POST', '/api/users', {
      name: '市民課 確認者',
      role: 'reviewer',
      departments: [mine.departmentCode],
    });
    const reviewer = await ConsoleUser.login(url, '市民課 確認者', made.oneTimePassword, PASSWORD);
    const list = await reviewer.json<{ items: Row[] }>('GET', '/api/console/findings?from=2025-04-01&to=2025-04-30&pageSize=500');
    expect(list.items.length).toBeGreaterThan(0);
    expect(new Set(list.items.map((f) => f.departmentCode))).toEqual(new Set([mine.departmentCode]));
    for (const path of [`/api/console/findings/${theirs.id}`, `/api/findings/${theirs.id}`]) {
      expect({ path, status: (await reviewer.request('GET', path)).status }).toEqual({ path, status: 403 });
    }
    const triage = await reviewer.request('POST', `/api/findings/${theirs.id}/transition`, { to: 'reviewing', comment: 'x' });
    expect(triage.status).toBe(403);
    const plain = await reviewer.json<Array<{ id: string }>>('GET', '/api/findings?from=2025-04-01&to=2025-04-30');
    expect(plain.map((f) => f.id)).not.toContain(theirs.id);
    expect((await reviewer.request('GET', `/api/console/findings/${mine.id}`)).status).toBe(200);

    const { context, page } = await loggedIn('市民課 確認者');
    try {
      await page.goto(`${url}/findings/${theirs.id}`);
      await page.getByRole('alert').filter({ hasText: '担当外' }).waitFor();
      await page.goto(`${url}/findings/${mine.id}`);
      await page.getByRole('heading', { name: '確認・判断' }).waitFor();
    } finally {
      await context.close();
    }
  }, 120_000);

  it('shows each role only its pages, and refuses the others (page by page)', async () => {
    const expected: Record<string, string[]> = {
      'demo-admin': ['ダッシュボード', 'マスタ・ルール', '監査ログ', '利用者'],
      'demo-officer': [
        'ダッシュボード',
        '検知一覧',
        '事案',
        '例外承認',
        '住民の照会履歴 (開示請求)',
        '職員の操作履歴',
        '報告書',
        'マスタ・ルール',
      ],
      '監査 花子': [
        'ダッシュボード',
        '検知一覧',
        '事案',
        '例外承認',
        '住民の照会履歴 (開示請求)',
        '職員の操作履歴',
        '報告書',
        'マスタ・ルール',
        '監査ログ',
      ],
      '閲覧 次郎': ['ダッシュボード'],
      '市民課 確認者': ['ダッシュボード', '検知一覧', '事案', '例外承認', 'マスタ・ルール'],
    };
    for (const [name, pages] of Object.entries(expected)) {
      const { context, page } = await loggedIn(name);
      try {
        const menu = await page.getByRole('navigation', { name: 'メニュー' }).getByRole('link').allInnerTexts();
        expect({ name, menu }).toEqual({ name, menu: pages });
        for (const [title, path] of [
          ['利用者', '/users'],
          ['事案', '/cases'],
          ['例外承認', '/exceptions'],
        ]) {
          if (pages.includes(title)) continue;
          await page.goto(`${url}${path}`);
          await page.getByRole('alert').filter({ hasText: '権限がありません' }).waitFor();
        }
      } finally {
        await context.close();
      }
    }
  }, 180_000);

  it('checks every other page with axe-core and keeps a screenshot of each', async () => {
    const user = findings.find((f) => f.userId)!.userId;
    const { context, page, errors } = await loggedIn('監査 花子');
    try {
      await page.getByRole('link', { name: '職員の操作履歴' }).click();
      await page.getByLabel('職員ID').fill(user);
      await page.getByLabel('利用目的 (必須)').fill('検知の調査');
      await page.getByLabel('期間 (から)').fill('2025-04-01');
      await page.getByLabel('期間 (まで)').fill('2025-04-30');
      await page.getByRole('button', { name: '表示する' }).click();
      await page.getByRole('heading', { name: /^職員 \S+ の操作 / }).waitFor();
      await expectAccessible(page, '職員の操作履歴');
      await shot(page, '05-staff-timeline', false);
      for (const [link, name, ready] of [
        ['報告書', '06-reports', 'h2'],
        ['マスタ・ルール', '07-catalogue', 'details.rule'],
        ['監査ログ', '08-audit', 'table.data tbody tr'],
      ] as const) {
        await page.getByRole('link', { name: link, exact: true }).click();
        await page.locator(ready).first().waitFor();
        await expectAccessible(page, link);
        await shot(page, name, name !== '08-audit');
      }
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
    const adminPage = await loggedIn('demo-admin');
    try {
      await adminPage.page.getByRole('link', { name: '利用者', exact: true }).click();
      await adminPage.page.locator('table.data tbody tr').first().waitFor();
      await expectAccessible(adminPage.page, '利用者');
      await shot(adminPage.page, '09-users');
    } finally {
      await adminPage.context.close();
    }
  }, 180_000);

  it('ends an idle session: the next action shows the log-in page saying why', async () => {
    const { context, page } = await loggedIn('閲覧 次郎');
    try {
      await page.getByRole('heading', { name: /ダッシュボード/ }).waitFor();
      await page.waitForTimeout((IDLE_SECONDS + 3) * 1000);
      await page.getByLabel('対象月').fill('2025-03');
      await page.getByRole('status').filter({ hasText: 'セッションが切れました' }).waitFor();
      await expect(page.getByRole('button', { name: 'ログイン' }).isVisible()).resolves.toBe(true);
    } finally {
      await context.close();
    }
    const expired = await auditor.json<{ rows: Array<{ client: string; detail: string }> }>('GET', '/api/audit?kind=session_expired');
    expect(expired.rows.map((r) => [r.client, (JSON.parse(r.detail) as { reason: string }).reason])).toContainEqual([
      '閲覧 次郎',
      'idle-timeout',
    ]);
  }, 120_000);

  it("refuses a change without the session's CSRF token, and shows no internals to callers without a session", async () => {
    const target = findings.find(
      (f) =>
        f.status === 'new' &&
        f.id !== mine.id &&
        f.id !== theirs.id &&
        f.id !== findings.find((x) => x.status === 'new' && x.id !== mine.id && x.id !== theirs.id)!.id,
    )!;
    for (const csrf of [null, 'not-the-token']) {
      const res = await officer.request('POST', `/api/findings/${target.id}/transition`, { to: 'reviewing', comment: 'csrf' }, { csrf });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: string }).error).toBe('csrf');
    }
    const after = await officer.json<{ finding: { status: string } }>('GET', `/api/console/findings/${target.id}`);
    expect(after.finding.status).toBe('new');
    // Without a session: a short refusal, no framework banner, no caching of personal data.
    const anonymous = await fetch(`${url}/api/console/findings/${target.id}`);
    expect(anonymous.status).toBe(401);
    const text = await anonymous.text();
    expect(text).not.toMatch(/\/work\/|node_modules|ClickHouse|DB::Exception|at .*\.ts:\d+/);
    expect(anonymous.headers.get('x-powered-by')).toBeNull();
    expect(anonymous.headers.get('cache-control')).toBe('no-store');
    const page = await fetch(`${url}/findings`);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
  }, 60_000);

  it('locks an account after repeated failures: even the right password is refused, and every attempt is recorded', async () => {
    const context = await browser.newContext({ locale: 'ja-JP', viewport: { width: 1200, height: 800 } });
    try {
      const page = await context.newPage();
      await page.goto(url + '/');
      for (let i = 0; i < 3; i++) {
        await page.getByLabel('利用者名').fill('lock-test');
        await page.getByLabel('パスワード').fill(`wrong-password-${i}`);
        await page.getByRole('button', { name: 'ログイン' }).click();
        await page.getByRole('alert').filter({ hasText: '利用者名またはパスワードが違います' }).waitFor();
      }
      await page.getByLabel('利用者名').fill('lock-test');
      await page.getByLabel('パスワード').fill(PASSWORD);
      await page.getByRole('button', { name: 'ログイン' }).click();
      await page.getByRole('alert').filter({ hasText: 'ロックされています' }).waitFor();
      await expect(page.getByRole('navigation', { name: 'メニュー' }).count()).resolves.toBe(0);
    } finally {
      await context.close();
    }
    const failures = await auditor.json<{ rows: Array<{ client: string; outcome: string; detail: string }> }>(
      'GET',
      '/api/audit?kind=login_failure&actor=lock-test',
    );
    expect(failures.rows.map((r) => [r.outcome, (JSON.parse(r.detail) as { reason: string }).reason])).toEqual([
      ['refused', 'locked'],
      ['failed', 'wrong-password'],
      ['failed', 'wrong-password'],
      ['failed', 'wrong-password'],
    ]);
    // An administrator's reset unlocks it (with a new one-time password).
    const users = await admin.json<Array<{ userId: string; name: string }>>('GET', '/api/users');
    const reset = await admin.json<{ oneTimePassword: string }>(
      'POST',
      `/api/users/${users.find((u) => u.name === 'lock-test')!.userId}/reset-password`,
    );
    expect((await ConsoleUser.login(url, 'lock-test', reset.oneTimePassword)).csrf).not.toBe('');
  }, 120_000);

  it("reports kansa's own use in the monthly report (section 10 kansa 自体の利用状況)", async () => {
    const month = new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 7); // this month in JST: the month of these tests
    const made = await officer.json<Array<{ format: string; sha256: string }>>('POST', '/api/reports', { month });
    expect(made.map((r) => r.format).sort()).toEqual(['csv', 'html', 'pdf', 'xlsx']);
    const html = await (await officer.request('GET', `/api/reports/${month}/html`)).text();
    const section = html.slice(html.lastIndexOf('10 kansa 自体の利用状況')); // the section, not the table of contents
    expect(section).toContain('<table');
    for (const kind of ['ログイン', 'ログイン失敗', '個人情報の参照', '個人情報の出力', '検知の確認・判断', '利用者の変更'])
      expect(section).toContain(kind);
    const made2 = await auditor.json<{ rows: Array<{ kind: string; client: string; detail: string }> }>(
      'GET',
      '/api/audit?kind=report_make',
    );
    expect(made2.rows.some((r) => r.client === 'demo-officer' && (JSON.parse(r.detail) as { month: string }).month === month)).toBe(true);
  }, 180_000);
  it("says on the reports page that last month's report is missing (overdue after report.deadlineDay), until it is made", async () => {
    const today = new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10); // JST
    const status = await officer.json<{ month: string; made: boolean; overdue: boolean }>('GET', '/api/reports/status');
    // The demo's month is April 2025; the service runs today: last month has no report, and the automatic run has not failed.
    expect(status).toEqual({
      month: previousMonth(today),
      made: false,
      overdue: Number(today.slice(8)) > 10,
      deadlineDay: 10,
      automatic: true,
      lastFailure: null,
    });
    const { context, page, errors } = await loggedIn('demo-officer');
    try {
      await page.getByRole('link', { name: '報告書', exact: true }).click();
      const banner = page.getByRole(status.overdue ? 'alert' : 'status').filter({ hasText: `(${status.month})の報告書は` });
      await banner.waitFor();
      expect(await banner.textContent()).toContain('自動作成は、分析が完了した日か、毎月 10 日に行います。');
      await expect(page.getByLabel('対象月').inputValue()).resolves.toBe(status.month);
      // First it cannot be made (a file stands where the month's folder goes): the form says why, and so does the notice.
      const folder = join(work, 'reports', status.month);
      mkdirSync(join(work, 'reports'), { recursive: true });
      writeFileSync(folder, '');
      await page.getByRole('button', { name: '作成する' }).click();
      const form = page.getByRole('form', { name: '報告書の作成' });
      await form
        .getByRole('alert')
        .filter({ hasText: `${status.month} の報告書を作成できませんでした` })
        .waitFor();
      await banner.filter({ hasText: '画面からの作成は失敗しました' }).waitFor();
      rmSync(folder);
      await page.getByRole('button', { name: '作成する' }).click();
      await page.getByRole('heading', { name: new RegExp(`\\(${status.month}\\)$`) }).waitFor();
      await banner.waitFor({ state: 'detached' });
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 180_000);
});
