import { INestApplicationContext } from '@nestjs/common';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SOURCE_TITLES } from '@kansa/domain';
import { TABLES } from '@kansa/storage';
import { openTestStore, TestStore } from '@kansa/test-kit';
import { ReportCronService } from './report-cron.service';
import { MadeReport, ReportsService } from './reports.service';
import { ReportDataRepository } from './data/report-data.repository';
import { INJECTION_COMMENT, INJECTION_USER, ReportMonthFixture, seedReportMonth } from './testing/report-month.fixture';
import { pdfPages } from './testing/pdf-text';
import { REPORT_ARTIFACTS } from './testing/report-artifacts';
import { openReportsApp } from './testing/reports-test-app';

const fmt = (n: number) => n.toLocaleString('ja-JP');
const squash = (s: string) => s.replace(/\s+/g, '');

interface Truth {
  bySource: Record<string, number>;
  total: number;
  findings: number;
  byRule: Record<string, number>;
  open: number;
  actionRequired: number;
  falsePositive: number;
  noIssue: number;
}

/** The numbers straight from the tables, independently of the report's own queries. */
async function truthFromDatabase(store: TestStore): Promise<Truth> {
  const ev = await store.rows<{ source: string; n: string }>(
    `SELECT source, count() AS n FROM ${TABLES.events} WHERE toYYYYMM(ts) = 202504 GROUP BY source`,
  );
  const fr = await store.rows<{ rule: string; n: string }>(
    `SELECT rule, count() AS n FROM ${TABLES.findings} FINAL WHERE toYYYYMM(day) = 202504 GROUP BY rule`,
  );
  const states = await store.rows<{ s: string; n: string }>(
    `SELECT s, count() AS n FROM (
       SELECT f.finding_id, if(t.k = 0, 'new', t.decision) AS s FROM (SELECT finding_id FROM ${TABLES.findings} FINAL WHERE toYYYYMM(day) = 202504) AS f
       LEFT JOIN (SELECT finding_id, count() AS k, argMaxIf(to_status, at, to_status != 'closed') AS decision FROM ${TABLES.findingTransitions} GROUP BY finding_id) AS t
       ON t.finding_id = f.finding_id) GROUP BY s`,
  );
  const st = Object.fromEntries(states.map((x) => [x.s, Number(x.n)]));
  const bySource = Object.fromEntries(ev.map((x) => [x.source, Number(x.n)]));
  const byRule = Object.fromEntries(fr.map((x) => [x.rule, Number(x.n)]));
  return {
    bySource,
    total: Object.values(bySource).reduce((a, b) => a + b, 0),
    findings: Object.values(byRule).reduce((a, b) => a + b, 0),
    byRule,
    open: (st.new ?? 0) + (st.reviewing ?? 0),
    actionRequired: st.action_required ?? 0,
    falsePositive: st.false_positive ?? 0,
    noIssue: st.no_issue ?? 0,
  };
}

describe('monthly report (real ClickHouse, all four formats)', () => {
  let store: TestStore;
  let app: INestApplicationContext;
  let fixture: ReportMonthFixture;
  let made: MadeReport;
  let truth: Truth;
  let autoDir: string;
  const file = (format: string) => made.files.find((f) => f.format === format)!.path;

  beforeAll(async () => {
    store = await openTestStore();
    fixture = await seedReportMonth(store);
    truth = await truthFromDatabase(store);
    autoDir = mkdtempSync(join(tmpdir(), 'kansa-report-auto-'));
    app = await openReportsApp(store, '2025-05-08T09:00:00+09:00', { report: { ...store.config.report, outputDir: autoDir } });
    made = await app.get(ReportsService).make(fixture.month, { outDir: REPORT_ARTIFACTS, trigger: 'test' });
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    await store?.close();
    if (autoDir) rmSync(autoDir, { recursive: true, force: true });
  });

  it('has the numbers of the database (the fixture is not trivial)', () => {
    expect(truth.total).toBeGreaterThan(5000);
    expect(Object.keys(truth.bySource).sort()).toEqual(['atena', 'chukan', 'jumin', 'terminal']);
    expect(truth.findings).toBeGreaterThan(10);
    expect(made.report.scope.total).toBe(truth.total);
    for (const [s, n] of Object.entries(truth.bySource)) expect(made.report.scope.totals[s]).toBe(n);
    expect(made.report.findings).toHaveLength(truth.findings);
  });

  it('PDF: Japanese headings, era dates, counts equal to the database, page numbers n / N', () => {
    const pages = pdfPages(file('pdf'));
    const all = pages.join('\n');
    expect(pages[0]).toContain('特定個人情報取扱システム');
    expect(pages[0]).toContain('ログ分析結果報告書');
    expect(pages[0]).toContain('（令和7年4月分）');
    expect(pages[0]).toContain('令和7年4月1日 〜 令和7年4月30日（2025年4月1日 〜 2025年4月30日）');
    for (const box of ['分析担当', 'システム管理室長', '保護責任者']) expect(pages[0]).toContain(box);
    // An incomplete month says so on the first page.
    expect(pages[0]).toContain('【注意】本報告書は不完全なデータに基づいています');
    expect(pages[0]).toContain('中間サーバー 1日');
    expect(pages[0]).toContain(`ログ件数 ${fmt(truth.total)} 件`);
    expect(pages[0]).toContain(`検知件数 ${fmt(truth.findings)} 件（要対応 ${truth.actionRequired} 件、未確認・確認中 ${truth.open} 件）`);
    for (const [s, n] of Object.entries(truth.bySource))
      expect(squash(all)).toContain(squash(`${SOURCE_TITLES[s as keyof typeof SOURCE_TITLES]} ${fmt(n)}件`));
    for (const h of [
      '2 分析対象',
      '2-2 ログ未収集日',
      '2-3 実施した分析',
      '3 適用ルールとパラメータ',
      '4 ルール別結果',
      '5 検知一覧',
      '6-1 長期不在者',
      '6-2 未使用ID',
      '7 グラフ',
      '7-4 所属別の時間外アクセス件数',
      '8 前月以前からの継続案件',
      '9-1 ログの完全性',
    ]) {
      expect(all).toContain(h);
    }
    expect(all).toContain(
      `合計 ${truth.findings} ${truth.findings - truth.open} ${truth.noIssue} ${truth.actionRequired} ${truth.falsePositive} ${truth.open}`,
    );
    expect(all).toContain(`2025-04-21 月 中間サーバー 開庁日にログなし`);
    pages.forEach((p, i) => expect(p).toContain(`${i + 1} / ${pages.length}`));
    expect(squash(all)).toContain(made.report.integrity.dataDigest);
    // The findings table breaks across pages with its header repeated.
    const continued = pages.filter((p) => p.includes('5 検知一覧（続き）'));
    expect(continued.length).toBeGreaterThan(0);
    for (const p of continued) expect(p).toContain('日付 時刻 利用者ID 氏名 所属 ルール 内容 件数 確認結果 確認者 確認日時 対応内容');
  });

  it('PDF embeds its Japanese font (renders the same without Japanese fonts installed)', () => {
    const pdf = readFileSync(file('pdf')).toString('latin1');
    expect(pdf).toMatch(/\/FontFile2 \d+ 0 R/);
    expect(pdf).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansJP-Regular/);
  });

  it('HTML: the same counts, charts as inline SVG', () => {
    const html = readFileSync(file('html'), 'utf8');
    expect(html).toContain('<html lang="ja">');
    expect(html).toContain(`data-count="events">${fmt(truth.total)} 件`);
    expect(html).toContain(`data-count="findings">${fmt(truth.findings)} 件`);
    expect(html.match(/<svg /g)).toHaveLength(4);
    const results = /<table data-table="4 ルール別結果">[\s\S]*?<tfoot><tr>([\s\S]*?)<\/tr><\/tfoot>/.exec(html)![1];
    const cells = [...results.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]);
    expect(cells).toEqual([
      '合計',
      ...[truth.findings, truth.findings - truth.open, truth.noIssue, truth.actionRequired, truth.falsePositive, truth.open].map(fmt),
    ]);
    const findingsTable = /<table data-table="5 検知一覧">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)![1];
    expect(findingsTable.match(/<tr/g)).toHaveLength(truth.findings);
    expect(html).toContain(made.report.integrity.dataDigest);
    // Log values are text, never markup.
    expect(html).toContain('=HYPERLINK(&quot;http://example.invalid&quot;,&quot;x&quot;)');
  });

  it('XLSX: one sheet per section, typed cells, frozen headers, auto-filter, formula text escaped', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(file('xlsx')) as unknown as ArrayBuffer);
    const names = wb.worksheets.map((w) => w.name);
    expect(names).toEqual(
      expect.arrayContaining([
        '1 概要',
        '2-1 日別ログ件数',
        '2-2 ログ未収集日',
        '2-3 分析実行履歴',
        '3 適用ルール',
        '4 ルール別結果',
        '5 検知一覧',
        '6-1 長期不在者ID',
        '6-2 未使用ID',
        '8 継続案件',
        '9 完全性',
      ]),
    );
    for (const ws of wb.worksheets) {
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      if (ws.name !== '1 概要') expect(ws.autoFilter).toBeTruthy();
    }
    const daily = wb.getWorksheet('2-1 日別ログ件数')!;
    const header = (daily.getRow(1).values as unknown[]).slice(1);
    const totals = daily.getRow(daily.rowCount).values as unknown[];
    expect(totals[1]).toBe('合計');
    for (const [s, n] of Object.entries(truth.bySource))
      expect(totals[header.indexOf(SOURCE_TITLES[s as keyof typeof SOURCE_TITLES]) + 1]).toBe(n);
    expect(totals[header.length]).toBe(truth.total);
    expect(daily.getCell('A2').value).toEqual(new Date('2025-04-01T00:00:00Z'));
    expect(daily.getCell('A2').numFmt).toBe('yyyy-mm-dd');

    const findings = wb.getWorksheet('5 検知一覧')!;
    expect(findings.rowCount - 1).toBe(truth.findings);
    const rows = findings.getSheetValues().slice(2) as unknown[][];
    const injected = rows.find((r) => String(r[3]).includes('HYPERLINK'))!;
    expect(injected[3]).toBe(`'${INJECTION_USER}`);
    expect(injected[12]).toBe(`'${INJECTION_COMMENT}`);
    expect(typeof injected[8]).toBe('number');
    expect(injected[11]).toBeInstanceOf(Date);
    findings.eachRow((row) => row.eachCell((c) => expect(c.type).not.toBe(ExcelJS.ValueType.Formula)));

    const results = wb.getWorksheet('4 ルール別結果')!;
    const foot = results.getRow(results.rowCount).values as unknown[];
    expect(foot.slice(1)).toEqual([
      '合計',
      truth.findings,
      truth.findings - truth.open,
      truth.noIssue,
      truth.actionRequired,
      truth.falsePositive,
      truth.open,
    ]);
    const summary = wb.getWorksheet('1 概要')!.getSheetValues() as unknown[][];
    expect(summary.find((r) => r?.[1] === 'ログ件数')?.[2]).toBe(truth.total);
    expect(summary.find((r) => r?.[1] === '報告内容の要約値 (SHA-256)')?.[2]).toBe(made.report.integrity.dataDigest);
  });

  it('CSV: findings in UTF-8 with BOM, formula text escaped, same rows as the database', () => {
    const bytes = readFileSync(file('csv'));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const records = parseCsv(bytes.subarray(3).toString('utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(records).toHaveLength(truth.findings);
    const byRule = new Map<string, number>();
    for (const r of records) byRule.set(r['ルール'], (byRule.get(r['ルール']) ?? 0) + 1);
    for (const [rule, n] of Object.entries(truth.byRule)) expect(byRule.get(rule)).toBe(n);
    const injected = records.find((r) => r['利用者ID'].includes('HYPERLINK'))!;
    expect(injected['利用者ID']).toBe(`'${INJECTION_USER}`);
    expect(injected['対応内容']).toBe(`'${INJECTION_COMMENT}`);
    for (const r of records) for (const v of Object.values(r)) expect(v).not.toMatch(/^[=+\-@]/);
    expect(records.filter((r) => r['確認結果'] === '未確認' || r['確認結果'] === '確認中')).toHaveLength(truth.open);
  });

  it('writes the SHA-256 of each file beside it and registers the files', async () => {
    for (const f of made.files) {
      const digest = createHash('sha256').update(readFileSync(f.path)).digest('hex');
      expect(readFileSync(`${f.path}.sha256`, 'utf8')).toBe(`${digest}  kansa-report-2025-04.${f.format}\n`);
    }
    const reports = app.get(ReportsService);
    const listed = (await reports.list()).filter((r) => r.month === '2025-04');
    expect(listed.map((r) => r.format).sort()).toEqual(['csv', 'html', 'pdf', 'xlsx']);
    expect(listed.every((r) => r.dataDigest === made.report.integrity.dataDigest && r.complete === false)).toBe(true);
    expect(await reports.path('2025-04', 'pdf')).toBe(file('pdf'));
    expect(await reports.path('2025-03', 'pdf')).toBeNull();
  });

  it('account review lists the retiree and the long leave with their active IDs, and carried-over items', () => {
    const { absentees } = made.report.accountReview;
    expect(absentees.filter((a) => a.reason === '退職').map((a) => a.state)).toEqual(['有効', '有効', '有効']);
    expect(absentees.filter((a) => a.reason === '育児休業')).toHaveLength(3);
    expect(absentees.find((a) => a.reason === '病気休暇')).toBeUndefined();
    expect(made.report.carriedOver.map((f) => f.statusTitle).sort()).toEqual(['未確認', '要対応']);
    const unused = made.report.accountReview.unused;
    expect(new Set(unused.map((u) => u.accountId))).toEqual(new Set([fixture.retiredId, fixture.onLeaveId]));
    expect(unused.find((u) => u.accountId === fixture.retiredId && u.system === '住民記録システム')).toMatchObject({
      lastLogin: '2025-01-10',
      daysSince: 110,
    });
  });

  it('the monthly job waits for the analysis, then makes last month once; on the deadline day it makes it anyway', async () => {
    const at = async (now: string) => {
      const a = await openReportsApp(store, now, { report: { ...store.config.report, outputDir: autoDir, formats: ['csv'] } });
      try {
        return await a.get(ReportCronService).runDue();
      } finally {
        await a.close();
      }
    };
    // April is already made above; May has no analysis yet.
    expect(await at('2025-05-03T06:30:00+09:00')).toEqual({ state: 'already-made', month: '2025-04' });
    const waiting = await at('2025-06-02T06:30:00+09:00');
    expect(waiting).toMatchObject({ state: 'waiting-for-analysis', month: '2025-05', daysNotAnalysed: 31 });
    const late = await at('2025-06-10T06:30:00+09:00');
    expect(late.state).toBe('made');
    if (late.state === 'made') {
      expect(late.report.files.map((f) => f.path)).toEqual([join(autoDir, '2025-05', 'kansa-report-2025-05.csv')]);
      expect(late.report.report.completeness.notes.join('')).toContain('分析が完了していない日が31日');
    }
    expect(await at('2025-06-11T06:30:00+09:00')).toEqual({ state: 'already-made', month: '2025-05' });
    const rows = await app.get(ReportDataRepository).listReports();
    expect(rows.filter((r) => r.month === '2025-05').map((r) => r.trigger)).toEqual(['auto']);
  });
});
