import { INestApplicationContext } from '@nestjs/common';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { openTestStore, TestStore } from '@kansa/test-kit';
import { CHROMIUM, CHROMIUM_ARGS, describeWithBrowser } from '@kansa/test-kit/browser';
import { MadeReport, ReportsService } from './reports.service';
import { REPORT_ARTIFACTS } from './testing/report-artifacts';
import { seedReportMonth } from './testing/report-month.fixture';
import { openReportsApp } from './testing/reports-test-app';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

describeWithBrowser('monthly report HTML in headless Chromium', () => {
  let store: TestStore;
  let app: INestApplicationContext;
  let made: MadeReport;
  let profile: string;
  const outDir = join(REPORT_ARTIFACTS, 'browser');

  beforeAll(async () => {
    store = await openTestStore();
    const fixture = await seedReportMonth(store);
    app = await openReportsApp(store, '2025-05-08T09:00:00+09:00');
    made = await app.get(ReportsService).make(fixture.month, { formats: ['html'], outDir, trigger: 'test' });
    profile = scratchDir('chromium');
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  it('shows the cover, the counts and four charts, without overflowing the page; screenshot kept', async () => {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1000, height: 1400 },
      args: ['--headless', ...CHROMIUM_ARGS],
    });
    try {
      const page = await context.newPage();
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(made.files[0].path).href);
      await expect(page.title()).resolves.toBe('特定個人情報取扱システム ログ分析結果報告書（令和7年4月分）');
      const cover = await page.locator('.cover').innerText();
      expect(cover).toContain('ログ分析結果報告書');
      expect(cover).toContain('令和7年4月1日 〜 令和7年4月30日');
      expect(cover).toContain('【注意】本報告書は不完全なデータに基づいています');
      expect(cover).toContain('取扱注意');
      await expect(page.locator('[data-status]').innerText()).resolves.toBe('速報');
      // The bundled Japanese font is the one used (not the viewer's).
      await page.evaluate('document.fonts.ready');
      await expect(page.evaluate<boolean>('document.fonts.check(\'12px "Noto Sans JP"\', "報告書")')).resolves.toBe(true);
      const faces = await page.evaluate<string[]>(
        '[...document.fonts].filter((f) => f.status === "loaded").map((f) => f.family + " " + f.weight)',
      );
      expect(faces).toEqual(expect.arrayContaining(['Noto Sans JP 400', 'Noto Sans JP 700']));
      await expect(page.locator('[data-count="events"]').innerText()).resolves.toBe(
        `${made.report.scope.total.toLocaleString('ja-JP')} 件`,
      );
      // The approval boxes are drawn, side by side.
      const boxes = await page
        .locator('table.approval th')
        .evaluateAll((ths) => ths.map((t) => ({ text: t.textContent, ...t.getBoundingClientRect().toJSON() })));
      expect(boxes.map((b) => b.text)).toEqual(['分析担当', 'システム管理室長', '保護責任者']);
      expect(new Set(boxes.map((b) => Math.round(b.y))).size).toBe(1);
      // Four charts, each actually laid out with a size.
      const charts = await page.locator('figure svg').evaluateAll((svgs) => svgs.map((s) => s.getBoundingClientRect().toJSON()));
      expect(charts).toHaveLength(4);
      for (const c of charts) expect(c.width).toBeGreaterThan(300);
      // Findings rows as the database has them.
      await expect(page.locator('table[data-table="5 検知一覧"] tbody tr').count()).resolves.toBe(made.report.findings.length);
      // No column squeezed to a character or two: every header cell at least as wide as its longest word wraps to.
      const narrow = await page.locator('table[data-table] thead th').evaluateAll((ths) =>
        ths
          .filter((th) => th.getClientRects().length > 0)
          .map((th) => ({
            table: th.closest('table')?.getAttribute('data-table'),
            header: th.textContent ?? '',
            width: th.getBoundingClientRect().width,
          }))
          .filter((c) => c.width < Math.min(c.header.length, 3) * 10),
      );
      expect(narrow).toEqual([]);
      // Nothing wider than the window, and nothing fetched from anywhere.
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
      expect(overflow).toBeLessThanOrEqual(0);
      expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);
      mkdirSync(outDir, { recursive: true });
      await page.screenshot({ path: join(outDir, 'report-cover.png') });
      await page.locator('#access').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(outDir, 'report-full.png'), fullPage: true });
      // Printing gives A4 pages (what a user gets from the browser's print).
      const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      // Wide sections (the findings list) print on landscape pages, the rest portrait.
      const landscape = [...pdf.toString('latin1').matchAll(/\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/g)].map(
        (m) => Number(m[1]) > Number(m[2]),
      );
      expect(new Set(landscape)).toEqual(new Set([false, true]));
      writeFileSync(join(outDir, 'report-printed.pdf'), pdf);
    } finally {
      await context.close();
    }
  });
});
