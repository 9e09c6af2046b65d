require('./scripts/register');
const { launchBrowser } = require('./test/kit/browser.ts');
(async () => {
  const b = await launchBrowser();
  const page = await b.newPage({ viewport: { width: 1400, height: 1000 } });
  const base = 'http://127.0.0.1:18470';
  await page.goto(base + '/');
  await page.getByLabel('利用者名').fill(process.argv[3] || 'demo-admin');
  await page.getByLabel('パスワード').fill(process.argv[2]);
  await page.getByRole('button', { name: /ログイン/ }).click();
  await page.waitForTimeout(1500);
  // change password if asked
  if (await page.getByText('新しいパスワード').count()) {
    const inputs = page.locator('input[type=password]');
    const n = await inputs.count();
    await inputs.nth(0).fill(process.argv[2]);
    for (let i = 1; i < n; i++) await inputs.nth(i).fill('Correct-Horse-Battery-9');
    await page.getByRole('button', { name: /変更/ }).click();
    await page.waitForTimeout(1500);
  }
  for (const [name, path] of [['dashboard', '/'], ['findings', '/findings'], ['cases', '/cases'], ['exceptions', '/exceptions'], ['subjects', '/subjects'], ['staff', '/staff'], ['reports', '/reports'], ['catalogue', '/catalogue'], ['audit', '/audit'], ['users', '/users'], ['bogus', '/findings?rule=bogus'], ['bogus2', '/findings?from=2026-13-01']]) {
    await page.goto(base + path);
    await page.waitForTimeout(2500);
    await page.screenshot({ path: `/tmp/explore/shot-${name}.png`, fullPage: false });
  }
  await b.close();
})().catch((e) => { console.error(e); process.exit(1); });
