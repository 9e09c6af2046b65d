import { INestApplicationContext } from '@nestjs/common';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditTrailService } from '@kansa/audit-trail';
import { MetricsService } from '@kansa/service-shell';
import { ServiceStatsRepository } from '@kansa/service-shell/service-stats.repository';
import { SOURCE_TITLES } from '@kansa/domain';
import { TABLES } from '@kansa/storage';
import { openTestStore, TestStore } from '@kansa/test-kit';
import { CasesService } from '../casework/cases/cases.service';
import { ExceptionsService } from '../casework/exceptions/exceptions.service';
import { ReportCronService } from './report-cron.service';
import { render } from './renderers/render';
import { RenderError, renderApart } from './renderers/render-apart';
import { MadeReport, ReportInputError, ReportsService } from './reports.service';
import { ReportDataRepository } from './data/report-data.repository';
import type { MonthlyReport } from './model/report.model';
import { FAULTY_BATCH, INJECTION_COMMENT, INJECTION_USER, ReportMonthFixture, seedReportMonth } from './testing/report-month.fixture';
import { PdfReading, readPdf } from './testing/pdf-text';
import { REPORT_ARTIFACTS } from './testing/report-artifacts';
import { openReportsApp } from './testing/reports-test-app';
import { groupedHash } from './renderers/report-tables';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

const fmt = (n: number) => n.toLocaleString('ja-JP');
const squash = (s: string) => s.replace(/\s+/g, '');
const CITY = { name: '川辺市', office: '総務部 情報政策課' };
const APPROVERS = ['担当', '係長', '情報政策課長', '情報セキュリティ責任者'];

interface Truth {
  bySource: Record<string, number>;
  total: number;
  findings: number;
  byRule: Record<string, number>;
  new: number;
  reviewing: number;
  actionRequired: number;
  falsePositive: number;
  noIssue: number;
  read: number;
  duplicates: number;
  rejected: number;
  /** Off-hours accesses of the user with approved evening overtime. */
  excused: number;
}

/** The numbers straight from the tables, independently of the report's own queries. */
async function truthFromDatabase(store: TestStore, fixture: ReportMonthFixture): Promise<Truth> {
  const ev = await store.rows<{ source: string; n: string }>(
    `SELECT source, count() AS n FROM ${TABLES.events} WHERE toYYYYMM(ts) = 202504 GROUP BY source`,
  );
  const fr = await store.rows<{ rule: string; n: string }>(
    `SELECT rule, count() AS n FROM ${TABLES.findings} FINAL WHERE toYYYYMM(day) = 202504 GROUP BY rule`,
  );
  const states = await store.rows<{ s: string; n: string }>(
    `SELECT s, count() AS n FROM (
       SELECT f.finding_id, if(t.k = 0, 'new', if(t.last = 'closed', t.decision, t.last)) AS s
       FROM (SELECT finding_id FROM ${TABLES.findings} FINAL WHERE toYYYYMM(day) = 202504) AS f
       LEFT JOIN (SELECT finding_id, count() AS k, argMax(to_status, at) AS last,
                         argMaxIf(to_status, at, to_status != 'closed') AS decision FROM ${TABLES.findingTransitions} GROUP BY finding_id) AS t
       ON t.finding_id = f.finding_id) GROUP BY s`,
  );
  const [lines] = await store.rows<{ read: string; dup: string; q: string }>(
    `SELECT sum(lines_read) AS read, sum(duplicates) AS dup, (SELECT count() FROM ${TABLES.quarantine}) AS q FROM ${TABLES.importBatches}`,
  );
  const [excused] = await store.rows<{ n: string }>(
    `SELECT count() AS n FROM ${TABLES.events} WHERE user_id = {u:String} AND toYYYYMM(ts) = 202504 AND toHour(ts) >= 18`,
    { u: fixture.users[1] },
  );
  const st = Object.fromEntries(states.map((x) => [x.s, Number(x.n)]));
  const bySource = Object.fromEntries(ev.map((x) => [x.source, Number(x.n)]));
  const byRule = Object.fromEntries(fr.map((x) => [x.rule, Number(x.n)]));
  return {
    bySource,
    total: Object.values(bySource).reduce((a, b) => a + b, 0),
    findings: Object.values(byRule).reduce((a, b) => a + b, 0),
    byRule,
    new: st.new ?? 0,
    reviewing: st.reviewing ?? 0,
    actionRequired: st.action_required ?? 0,
    falsePositive: st.false_positive ?? 0,
    noIssue: st.no_issue ?? 0,
    read: Number(lines.read),
    duplicates: Number(lines.dup),
    rejected: Number(lines.q),
    excused: Number(excused.n),
  };
}

async function workbook(path: string): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(readFileSync(path) as unknown as ArrayBuffer);
  return wb;
}

/** Every text a workbook holds, sheet by sheet. */
function workbookText(wb: ExcelJS.Workbook): string {
  const out: string[] = [];
  wb.eachSheet((ws) =>
    ws.eachRow((row) => row.eachCell((c) => out.push(String(c.value instanceof Date ? c.value.toISOString() : c.value)))),
  );
  return out.join('\n');
}

describe('monthly report (real ClickHouse, all four formats)', () => {
  let store: TestStore;
  let app: INestApplicationContext;
  let fixture: ReportMonthFixture;
  let made: MadeReport;
  let truth: Truth;
  let autoDir: string;
  let pdf: PdfReading;
  const file = (format: string) => made.files.find((f) => f.format === format)!.path;

  beforeAll(async () => {
    store = await openTestStore();
    fixture = await seedReportMonth(store);
    truth = await truthFromDatabase(store, fixture);
    autoDir = scratchDir('report-auto');
    app = await openReportsApp(store, '2025-05-08T09:00:00+09:00', {
      organisation: CITY,
      report: { ...store.config.report, outputDir: autoDir, approvers: APPROVERS },
    });
    made = await app.get(ReportsService).make(fixture.month, { outDir: REPORT_ARTIFACTS, trigger: 'test' });
    pdf = readPdf(file('pdf'));
  }, 300_000);

  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  it('has the numbers of the database (the fixture is not trivial)', () => {
    expect(truth.total).toBeGreaterThan(5000);
    expect(Object.keys(truth.bySource).sort()).toEqual(['atena', 'chukan', 'jumin', 'terminal']);
    expect(truth.findings).toBeGreaterThan(10);
    expect(made.report.scope.total).toBe(truth.total);
    for (const [s, n] of Object.entries(truth.bySource)) expect(made.report.scope.totals[s]).toBe(n);
    expect(made.report.findings).toHaveLength(truth.findings);
    expect(made.report.review).toMatchObject({
      found: truth.findings,
      new: truth.new,
      reviewing: truth.reviewing,
      noIssue: truth.noIssue,
      actionRequired: truth.actionRequired,
      falsePositive: truth.falsePositive,
    });
    expect(truth.new + truth.reviewing).toBeGreaterThan(0);
  });

  it('cover: 速報 while findings are undecided, review progress in five states, organisation and approval boxes from configuration', () => {
    const cover = pdf.pages[0];
    expect(cover).toContain('特定個人情報取扱システム');
    expect(cover).toContain('（令和7年4月分）');
    expect(cover).toContain('令和7年4月1日 〜 令和7年4月30日（2025年4月1日 〜 2025年4月30日）');
    expect(cover).toContain('速報');
    expect(cover).toContain(
      `確認の状況 未確認 ${truth.new} / 確認中 ${truth.reviewing} / 問題なし ${truth.noIssue} / 要対応 ${truth.actionRequired} / 誤検知 ${truth.falsePositive}`,
    );
    expect(squash(cover)).toContain(
      squash(`速報：未確認・確認中の検知が ${truth.new + truth.reviewing} 件あります。すべての分析と確認を終えるか`),
    );
    expect(cover).not.toContain('要対応 0 件、未確認・確認中');
    expect(squash(cover)).toContain(squash(`${CITY.name}　${CITY.office}`));
    expect(squash(cover)).toContain(squash(APPROVERS.join('')));
    expect(cover).toContain('令和 年 月 日');
    // An incomplete month says so on the first page, a batch set aside included.
    expect(cover).toContain('【注意】本報告書は不完全なデータに基づいています');
    expect(cover).toContain('中間サーバー 1日');
    expect(cover).toContain('取込を保留しているバッチが 1 件あります');
    expect(cover).toContain(`ログ件数 ${fmt(truth.total)} 件`);
    for (const format of ['pdf', 'html', 'csv'])
      expect(readFileSync(file(format)).toString(format === 'pdf' ? 'latin1' : 'utf8')).not.toContain('〇〇市');
  });

  it('the marking (取扱注意) is on the cover and every page header of the PDF and HTML, and on every XLSX sheet', async () => {
    pdf.pages.forEach((p, i) => expect([i, p.includes('取扱注意')]).toEqual([i, true]));
    const html = readFileSync(file('html'), 'utf8');
    expect(html).toMatch(/@top-right \{ content: "取扱注意"/);
    expect(html).toContain('<div class="marking">取扱注意</div>');
    expect(html).toContain('<span class="mark">取扱注意</span>');
    const wb = await workbook(file('xlsx'));
    wb.eachSheet((ws) => {
      expect([ws.name, String(ws.getCell('A1').value)]).toEqual([ws.name, expect.stringContaining('【取扱注意】')]);
      expect([ws.name, ws.headerFooter.oddHeader]).toEqual([ws.name, expect.stringContaining('取扱注意')]);
    });
  });

  it('PDF: a table of contents whose page numbers are where each section starts, bookmarks, tagged, PDF/A-2a and PDF/UA-1 declared', () => {
    const toc = pdf.pages[1];
    expect(toc).toContain('目次');
    const sections = made.report.summary && pdf.outline.filter((o) => o.level === 0).map((o) => o.title);
    expect(sections).toEqual([
      '1 総括・所見',
      '2 分析対象',
      '3 適用ルール',
      '4 ルール別結果',
      '5 検知一覧',
      '6 アカウント棚卸し',
      '7 アクセス統計',
      '8 前月以前からの継続案件',
      '9 証跡（ログの完全性の確認）',
      '10 kansa 自体の利用状況',
      '11 事案・例外承認・監査記録',
      '12 アクセスの説明',
    ]);
    expect(pdf.outline.filter((o) => o.level === 1).map((o) => o.title)).toEqual(
      expect.arrayContaining(['2-2 取込の状況（読み込んだ行と保存したログ）', '6-1 長期休業者（90日以上）・退職者のID（緊急度の高い順）']),
    );
    for (const title of sections) {
      const listed = new RegExp(`${title.replace(/[()（）]/g, '.')}\\s+(\\d+)`).exec(toc);
      expect([title, listed?.[1]]).toEqual([title, expect.any(String)]);
      expect([title, pdf.pages[Number(listed![1]) - 1].includes(title)]).toEqual([title, true]);
    }
    // No numbered section is empty: each has a heading followed by something.
    pdf.pages.forEach((p, i) => expect(p).toContain(`${i + 1} / ${pdf.pages.length}`));
    expect(pdf.tagged).toBe(true);
    expect(pdf.xmp).toMatchObject({ 'pdfaid:part': '2', 'pdfaid:conformance': 'A', 'pdfuaid:part': '1' });
    const raw = readFileSync(file('pdf')).toString('latin1');
    expect(raw).toMatch(/\/FontFile2 \d+ 0 R/);
    expect(raw).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansJP-Regular/);
    expect(raw).not.toMatch(/\/BaseFont \/Helvetica/);
    expect(raw).toContain('/StructTreeRoot');
    expect(raw).toMatch(/\/Lang \(ja-JP\)/);
  });

  it('PDF: summary with serious findings first, previous month and 12-month trend; severity in every findings table', () => {
    const all = pdf.pages.join('\n');
    for (const h of ['分析した範囲', '検知の概要', '確認の状況', '残っている事項', '前月との比較と推移']) expect(all).toContain(h);
    expect(all).toContain('1-1 重要度「重大」「高」の検知（重要度の高い順）');
    const serious = made.report.summary.serious;
    expect(serious.map((f) => f.severity)).toEqual(
      [...serious.map((f) => f.severity)].sort((a, b) => '重大高'.indexOf(a) - '重大高'.indexOf(b)),
    );
    expect(serious.length).toBeGreaterThan(0);
    expect(made.report.summary.trend.totals.slice(-2)).toEqual([3 + 0, truth.findings]);
    expect(squash(all)).toContain(
      squash(`検知件数は前月（令和7年3月）の 3 件から ${truth.findings} 件に増えました（+${truth.findings - 3} 件）。`),
    );
    expect(all).toContain('1-3 過去12か月の推移（ルール別・重要度別の検知件数）');
    for (const p of pdf.pages.filter((x) => x.includes('5 検知一覧（続き）') || x.includes('5 検知一覧\n')))
      expect(p).toContain('日付 時刻 重要度 ルール 利用者ID 氏名 所属 内容 件数 単位 確認結果 確認者 確認日時 対応内容');
    expect(pdf.pages.filter((p) => p.includes('5 検知一覧（続き）')).length).toBeGreaterThan(0);
  });

  it('PDF: rules as sentences with their units, the intake with its reasons, calendar notes, what access counts, overtime excused (a count)', () => {
    const all = squash(pdf.pages.join('\n'));
    expect(all).toContain(
      squash('1日に帳票・CSV出力（一括出力を含む）が1,000件以上、または本人の過去90日の95パーセンタイルの10倍以上（200件以上）'),
    );
    expect(all).not.toMatch(/threshold=|factor=|minActiveDays/);
    expect(all).toContain(squash('住民の人数（人）'));
    expect(all).toContain(squash('失敗回数（回）'));
    // Lines read vs stored: duplicates and rejected lines with their reasons.
    expect(all).toContain(squash(`読み込んだ ${fmt(truth.read)} 行の内訳`));
    expect(all).toContain(squash(`重複 ${fmt(truth.duplicates)} 行`));
    expect(all).toContain(squash(`除外 ${fmt(truth.rejected)} 行`));
    expect(all).toContain(squash('処理日時 日時が不正です (YYYY/MM/DD HH:MM:SS)'));
    expect(all).toContain(squash('ATENA_INQUIRY_20250430.csv'));
    expect(all).toContain(squash('2025-04-26 土 開庁 休日開庁（転入手続） 開庁日として分析しました'));
    expect(all).toContain(squash(`2025-04-26 土 開庁日（休日開庁）: 休日開庁（転入手続）`));
    const excluded = made.report.access.excluded.reduce((a, x) => a + x.events, 0);
    expect(made.report.access.access).toBe(truth.total - excluded);
    expect(all).toContain(
      squash(
        excluded ? `ログ件数 ${fmt(truth.total)} 件との差 ${fmt(excluded)} 件は` : `ログ件数 ${fmt(truth.total)} 件のすべてがアクセスです`,
      ),
    );
    expect(truth.excused).toBeGreaterThan(0);
    expect(made.report.excused).toEqual([expect.objectContaining({ rule: 'off-hours', events: truth.excused })]);
    expect(all).toContain(squash(`時間外アクセス 承認済みの時間外勤務命令の範囲内 ${fmt(truth.excused)}`));
  });

  it('one state per rule: the unused-account judgement in the same words in the rule table, results, account review and every format', async () => {
    const rule = made.report.rules.find((r) => r.id === 'unused-account')!;
    expect(rule.judgement).toBe('partial');
    const words = rule.state;
    expect(made.report.ruleResults.find((r) => r.rule === 'unused-account')!.note).toBe(words);
    expect(made.report.accountReview.unusedNote).toContain(words);
    expect(squash(pdf.pages.join('')).split(squash(words)).length - 1).toBeGreaterThanOrEqual(3);
    expect(readFileSync(file('html'), 'utf8').split(words).length - 1).toBeGreaterThanOrEqual(3);
    const wb = await workbook(file('xlsx'));
    expect(workbookText(wb).split(words).length - 1).toBeGreaterThanOrEqual(3);
  });

  it('account review: the retiree ID used after retirement and still enabled comes first as 至急対応; no kind of leave is printed anywhere', async () => {
    const first = made.report.accountReview.absentees[0];
    expect(first).toMatchObject({ staffId: fixture.retiredId, system: '業務端末', state: '有効', eventsWhileAbsent: 1, urgency: 1 });
    expect(first.assessment).toMatch(/^至急対応：退職後に使用されたIDが有効のまま/);
    expect(made.report.accountReview.absentees.filter((a) => a.absence === '休業中')).toHaveLength(3);
    const texts = [
      pdf.pages.join(''),
      readFileSync(file('html'), 'utf8'),
      readFileSync(file('csv'), 'utf8'),
      workbookText(await workbook(file('xlsx'))),
    ];
    for (const t of texts) expect(t).not.toMatch(/育児休業|病気休暇/);
    expect(squash(pdf.pages.join(''))).toContain(squash(`${fixture.retiredId}`));
    const unused = made.report.accountReview.unused;
    expect(new Set(unused.map((u) => u.accountId))).toEqual(new Set([fixture.retiredId, fixture.onLeaveId]));
    expect(unused.find((u) => u.accountId === fixture.retiredId)).toMatchObject({ lastUsed: '2025-01-10', daysSince: 110 });
    expect(made.report.carriedOver.map((f) => f.statusTitle).sort()).toEqual(['未確認', '要対応']);
  });

  it('evidence: the verdict with when it was checked, the chain heads readable, how to re-check — no markup', () => {
    const page = pdf.pages.find((p) => p.includes('9 証跡（ログの完全性の確認）') && p.includes('再検証の方法'))!;
    expect(page).toContain('検証結果：整合（2025-05-07 18:00 確認）');
    for (const c of made.report.integrity.chains) expect(squash(page)).toContain(c.chainHash);
    expect(page).toMatch(/[0-9a-f]{8} [0-9a-f]{8} [0-9a-f]{8}/);
    expect(squash(page)).toContain(made.report.integrity.dataDigest);
    expect(page).toContain('kansa verify を実行します');
    for (const t of [pdf.pages.join(''), readFileSync(file('html'), 'utf8')]) expect(t).not.toContain('`');
  });

  it('HTML: the same counts, the Japanese font bundled, wide sections printed landscape, columns never squeezed', () => {
    const html = readFileSync(file('html'), 'utf8');
    expect(html).toContain('<html lang="ja">');
    expect(html).toContain(`data-count="events">${fmt(truth.total)} 件`);
    expect(html).toMatch(/@font-face \{ font-family: "Noto Sans JP"; font-weight: 400;[^}]*src: url\(data:font\/woff;base64,/);
    expect(html).toMatch(/@font-face \{ font-family: "Noto Sans JP"; font-weight: 700;/);
    expect(html).toContain('@page wide { size: A4 landscape;');
    expect(html).toMatch(/<section class="sheet wide"><h2 id="findings">/);
    expect(html.match(/<svg /g)).toHaveLength(4);
    const results = /<table data-table="4 ルール別結果">[\s\S]*?<tfoot><tr>([\s\S]*?)<\/tr><\/tfoot>/.exec(html)![1];
    const cells = [...results.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]);
    expect(cells).toEqual([
      '合計',
      '',
      ...[truth.findings, truth.new, truth.reviewing, truth.noIssue, truth.actionRequired, truth.falsePositive].map(fmt),
      '0', // 例外適用: the fixture approves no exception
      '',
    ]);
    const findingsTable = /<table data-table="5 検知一覧">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)![1];
    expect(findingsTable.match(/<tr/g)).toHaveLength(truth.findings);
    expect(html).toContain(groupedHash(made.report.integrity.dataDigest));
    // Log values are text, never markup.
    expect(html).toContain('=HYPERLINK(&quot;http://example.invalid&quot;,&quot;x&quot;)');
  });

  it('XLSX: a sheet per table with the marking row, typed cells (times as times), print setup, formula text escaped', async () => {
    const wb = await workbook(file('xlsx'));
    const names = wb.worksheets.map((w) => w.name);
    expect(names.slice(0, 3)).toEqual(['表紙・概要', '1 総括・所見', '1-1 重大・高の検知']);
    expect(names).toEqual(
      expect.arrayContaining([
        '2-1 日別ログ件数',
        '2-2 取込の状況',
        '2-3 除外した行',
        '3 適用ルール',
        '5 検知一覧',
        '6-1 長期不在者ID',
        '9 証跡',
      ]),
    );
    for (const ws of wb.worksheets) {
      expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 2 });
      expect(ws.pageSetup).toMatchObject({ paperSize: 9, fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: '1:2' });
    }
    const findings = wb.getWorksheet('5 検知一覧')!;
    expect(findings.pageSetup.orientation).toBe('landscape');
    expect(findings.autoFilter).toBeTruthy();
    const header = (findings.getRow(2).values as unknown[]).slice(1);
    expect(header.slice(0, 4)).toEqual(['日付', '時刻', '重要度', 'ルール']);
    const rows = findings.getSheetValues().slice(3, 3 + truth.findings) as unknown[][];
    expect(rows).toHaveLength(truth.findings);
    const injected = rows.find((r) => String(r[5]).includes('HYPERLINK'))!;
    expect(injected[5]).toBe(`'${INJECTION_USER}`);
    expect(injected[14]).toBe(`'${INJECTION_COMMENT}`);
    // 10:00 as an Excel time (a fraction of a day, which ExcelJS reads back as a time on 1899-12-30).
    expect(injected[2]).toEqual(new Date('1899-12-30T10:00:00.000Z'));
    expect(findings.getCell(`B${3 + rows.indexOf(injected)}`).numFmt).toBe('hh:mm');
    expect(typeof injected[9]).toBe('number');
    expect(injected[13]).toBeInstanceOf(Date);
    findings.eachRow((row) => row.eachCell((c) => expect(c.type).not.toBe(ExcelJS.ValueType.Formula)));

    const daily = wb.getWorksheet('2-1 日別ログ件数')!;
    const dayHeader = (daily.getRow(2).values as unknown[]).slice(1);
    const totals = daily.getRow(daily.rowCount - 2).values as unknown[];
    expect(totals[1]).toBe('合計');
    for (const [s, n] of Object.entries(truth.bySource))
      expect(totals[dayHeader.indexOf(SOURCE_TITLES[s as keyof typeof SOURCE_TITLES]) + 1]).toBe(n);
    expect(daily.getCell('A3').value).toEqual(new Date('2025-04-01T00:00:00Z'));
    expect(daily.getCell('A3').numFmt).toBe('yyyy-mm-dd');

    const cover = wb.getWorksheet('表紙・概要')!.getSheetValues() as unknown[][];
    expect(cover.find((r) => r?.[1] === 'ログ件数（数値）')?.[2]).toBe(truth.total);
    expect(cover.find((r) => r?.[1] === '報告内容の要約値 (SHA-256)')?.[2]).toBe(made.report.integrity.dataDigest);
    expect(cover.find((r) => r?.[1] === '検証結果')?.[2]).toBe('検証結果：整合（2025-05-07 18:00 確認）');
  });

  it('CSV: findings with severity and unit, UTF-8 with BOM, formula text escaped, same rows as the database', () => {
    const bytes = readFileSync(file('csv'));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const records = parseCsv(bytes.subarray(3).toString('utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(records).toHaveLength(truth.findings);
    const byRule = new Map<string, number>();
    for (const r of records) byRule.set(r['ルール'], (byRule.get(r['ルール']) ?? 0) + 1);
    const titles = new Map(made.report.rules.map((r) => [r.id, r.title]));
    for (const [rule, n] of Object.entries(truth.byRule)) expect(byRule.get(titles.get(rule)!)).toBe(n);
    expect(new Set(records.map((r) => r['重要度']))).toEqual(new Set(['高', '中', '低']));
    expect(records.find((r) => r['ルール'] === '時間外アクセス')?.['単位']).toBe('件');
    const injected = records.find((r) => r['利用者ID'].includes('HYPERLINK'))!;
    expect(injected['利用者ID']).toBe(`'${INJECTION_USER}`);
    expect(injected['対応内容']).toBe(`'${INJECTION_COMMENT}`);
    for (const r of records) for (const v of Object.values(r)) expect(v).not.toMatch(/^[=+\-@]/);
    expect(records.filter((r) => r['確認結果'] === '未確認' || r['確認結果'] === '確認中')).toHaveLength(truth.new + truth.reviewing);
  });

  it('a month with more findings than the PDF lists (report.pdfRowLimit): the PDF lists the first ones and says how many and where all are', async () => {
    /** The rows of the findings list on the PDF's pages of section 5 (each starts with its day, time if any, and severity). */
    const findingRows = (reading: PdfReading) => {
      const first = reading.pages.findIndex((p) => p.startsWith('5 検知一覧'));
      const last = reading.pages.findIndex((p) => p.startsWith('6 アカウント棚卸し'));
      return (
        reading.pages
          .slice(first, last)
          .join('\n')
          .match(/^2025-04-\d\d(?: \d\d:\d\d)? (?:重大|高|中|低) /gm) ?? []
      );
    };
    expect(findingRows(pdf)).toHaveLength(truth.findings);

    // Rendered from the same month's model, not made again: the made files stay the ones registered.
    const dir = scratchDir('report-limit');
    const path = join(dir, 'limited.pdf');
    writeFileSync(path, await render(made.report, 'pdf', { pdfRowLimit: 5 }));
    const reading = readPdf(path);
    expect(findingRows(reading)).toEqual(findingRows(pdf).slice(0, 5));
    expect(squash(reading.pages.join(''))).toContain(
      squash(
        `【PDF 版の掲載は先頭の 5 件まで】全 ${truth.findings} 件のうち 5 件を掲載しています。全件は同じ月のXLSX 版のシート「5 検知一覧」、CSV 版、HTML 版にあります。`,
      ),
    );
    expect(reading.totalPages).toBeLessThan(pdf.totalPages);
    // The default lists all of a month this size; the other formats take no limit (the XLSX and CSV tests count every row).
    expect(store.config.report.pdfRowLimit).toBeGreaterThan(truth.findings);
  });

  it('renders on a thread of its own: a renderer that runs out of memory or past its time fails the report with the format and why, and the service goes on', async () => {
    // Thousands of findings, rendered with the thread's heap held to 64 MB (the process's own limit otherwise).
    const many = made.report.findings;
    const big = { ...made.report, findings: Array.from({ length: 3000 }, (_, i) => ({ ...many[i % many.length], id: `F${i}` })) };
    const limits = { maxHeapMb: 64 };
    await expect(renderApart(big, ['csv', 'pdf'], { pdfRowLimit: 0 }, limits)).rejects.toThrow(
      new RenderError(
        'pdf',
        'the renderer ran out of memory; lower report.pdfRowLimit, the rows the PDF lists of a table (docs/report.md) (PDF の作成中にメモリが不足しました。report.pdfRowLimit を小さくしてください)',
      ),
    );
    // The PDF's row limit keeps the same month within that memory; every format comes back, in order.
    const rendered = await renderApart(big, ['pdf', 'csv'], { pdfRowLimit: 100 }, limits);
    expect(rendered.map((r) => r.format)).toEqual(['pdf', 'csv']);
    expect(rendered[0].bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(parseCsv(rendered[1].bytes.subarray(3).toString('utf8'), { columns: true })).toHaveLength(3000);
    // A rendering that runs past its time (report.renderTimeoutSeconds) is stopped: the report fails with the format and why.
    await expect(renderApart(big, ['pdf'], { pdfRowLimit: 0 }, { timeoutMs: 500 })).rejects.toThrow(
      /^the PDF could not be rendered: rendering took longer than 0\.5 s and was stopped; raise report\.renderTimeoutSeconds/,
    );
    // A renderer's own error comes back with the format it happened in; the formats after it are not rendered.
    const broken = { ...made.report, findings: undefined } as unknown as MonthlyReport;
    await expect(renderApart(broken, ['html', 'csv'], { pdfRowLimit: 100 })).rejects.toThrow(/^the HTML could not be rendered: .*map/);
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

  it('a report whose writing fails midway leaves the earlier files and register as they were, and records why', async () => {
    const dir = scratchDir('report-rewrite');
    const reports = app.get(ReportsService);
    const first = await reports.make('2025-02', { outDir: dir, formats: ['csv', 'html'], trigger: 'test' });
    // The files themselves (a file written again would be a new one: a rename puts a new inode in its place).
    const inodes = () => first.files.map((f) => statSync(f.path).ino);
    const before = inodes();
    // Made again: the CSV is written, then the HTML's temporary file cannot be (a folder is in its way).
    mkdirSync(join(dir, 'kansa-report-2025-02.html.part'));
    await expect(reports.make('2025-02', { outDir: dir, formats: ['csv', 'html'], trigger: 'test' })).rejects.toThrow(/EISDIR/);
    expect(inodes()).toEqual(before);
    expect(readdirSync(dir).sort()).toEqual([
      'kansa-report-2025-02.csv',
      'kansa-report-2025-02.csv.sha256',
      'kansa-report-2025-02.html',
      'kansa-report-2025-02.html.part',
      'kansa-report-2025-02.html.sha256',
    ]);
    const listed = (await reports.list()).filter((r) => r.month === '2025-02');
    expect(listed.map((r) => [r.format, r.sha256])).toEqual(first.files.map((f) => [f.format, f.sha256]));
    const failures = await store.rows<{ trigger: string; format: string; message: string }>(
      `SELECT trigger, format, message FROM ${TABLES.reportFailures} WHERE month = '2025-02'`,
    );
    expect(failures).toEqual([{ trigger: 'test', format: '', message: expect.stringMatching(/EISDIR/) }]);
  });

  it('a month whose logs do not reach back 90 days: unused-account says 判定保留 with its reason, never "analysed, 0 found"', async () => {
    const dir = scratchDir('report-jan');
    const jan = await app.get(ReportsService).make('2025-01', { outDir: dir, formats: ['pdf', 'html', 'xlsx'], trigger: 'test' });
    const rule = jan.report.rules.find((r) => r.id === 'unused-account')!;
    expect(rule.state).toBe('判定保留：ログの記録が2025-01-10からで、判定に必要な90日分に満たないため（2025-04-10以降に判定できます）');
    expect(jan.report.ruleResults.find((r) => r.rule === 'unused-account')).toMatchObject({ judgement: 'withheld', note: rule.state });
    expect(jan.report.accountReview).toMatchObject({ unusedJudgement: 'withheld', unusedNote: rule.state });
    const pdfText = squash(readPdf(jan.files[0].path).pages.join(''));
    expect(pdfText).toContain(squash(`長期未使用ID 低 判定保留 － － － － － － ${rule.state}`));
    // No days analysed in January: never 確定, whatever the findings.
    expect(jan.report.status).toMatchObject({ final: false, label: '速報' });
    expect(jan.report.status.text).toContain('分析が完了していない日が 31 日あります');
    expect(pdfText.split(squash(rule.state)).length - 1).toBeGreaterThanOrEqual(3);
    expect(pdfText).not.toContain(squash('長期未使用ID 低 0 0 0 0 0 0'));
    expect(readFileSync(jan.files[1].path, 'utf8').split(rule.state).length - 1).toBeGreaterThanOrEqual(3);
    const wb = await workbook(jan.files[2].path);
    expect(workbookText(wb).split(rule.state).length - 1).toBeGreaterThanOrEqual(3);
  });

  it('an officer finalises the month with a reason (recorded): 確定 in every format; a later undecided finding makes it 速報 again', async () => {
    const reports = app.get(ReportsService);
    await expect(reports.finalize('2025-04', '', '理由のある確定')).rejects.toThrow(ReportInputError);
    await expect(reports.finalize('2025-04', '情報政策課長', '')).rejects.toThrow(/--reason/);
    await expect(reports.finalize('2025-05', '情報政策課長', '確定します')).rejects.toThrow(/not over yet/);
    const dir = scratchDir('report-final');
    try {
      const done = await reports.finalize('2025-04', '情報政策課長 山田', '未確認分は所属長に照会済み、5月分で報告する', { outDir: dir });
      expect(done.undecided).toBe(truth.new + truth.reviewing);
      const status = done.made.report.status;
      expect(status).toMatchObject({ final: true, label: '確定' });
      expect(status.text).toBe(
        `確定：2025-05-08 09:00 に 情報政策課長 山田 が確定しました（理由：未確認分は所属長に照会済み、5月分で報告する）。未確認・確認中の ${truth.new + truth.reviewing} 件を残しています。`,
      );
      const f = (format: string) => done.made.files.find((x) => x.format === format)!.path;
      expect(readPdf(f('pdf')).pages[0]).toContain('確定');
      expect(squash(readPdf(f('pdf')).pages[0])).toContain(squash(status.text));
      expect(readFileSync(f('html'), 'utf8')).toContain('data-status="確定"');
      expect(workbookText(await workbook(f('xlsx')))).toContain(status.text);
      const rows = await store.rows<{ by: string; undecided: string[] }>(`SELECT by, undecided FROM ${TABLES.reportFinalisations}`);
      expect(rows).toEqual([
        { by: '情報政策課長 山田', undecided: expect.arrayContaining([made.report.findings.find((x) => x.outcome === 'new')!.id]) },
      ]);

      // A late log brings a new, undecided finding to the month: the officer never saw it.
      await store.client.insert({
        table: TABLES.findings,
        format: 'JSONEachRow',
        values: [
          {
            finding_id: 'f'.repeat(32),
            rule: 'mass-lookup',
            rule_version: 2,
            severity: 'high',
            day: '2025-04-30',
            user_id: fixture.users[0],
            subject: fixture.users[0],
            count: 320,
            summary: '住民 320 人分の照会',
            details: '{}',
            evidence_ids: [],
            evidence_total: 320,
            params: '{}',
            window_from: '2025-04-30 00:00:00.000',
            window_to: '2025-05-01 00:00:00.000',
            run_id: 'late',
            detected_at: '2025-05-08 08:00:00.000',
            updated_at: '2025-05-08 08:00:00.000',
          },
        ],
      });
      const again = await reports.make('2025-04', { outDir: dir, formats: ['csv'], trigger: 'test' });
      expect(again.report.status).toMatchObject({ final: false, label: '速報' });
      expect(again.report.status.text).toContain(
        '2025-05-08 09:00 に 情報政策課長 山田 が確定しましたが、その後に未確認の検知が 1 件加わったため速報に戻りました。',
      );
    } finally {
      await store.client.command({
        query: `DELETE FROM ${TABLES.findings} WHERE finding_id = {id:FixedString(32)}`,
        query_params: { id: 'f'.repeat(32) },
      });
    }
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

  it('the faulty batch of the fixture is what the intake counts', () => {
    const jumin = made.report.intake.systems.find((s) => s.source === 'jumin')!;
    expect(jumin.duplicates).toBe(2);
    expect(jumin.rejected).toBe(3 + 4);
    expect(FAULTY_BATCH).toMatch(/^jumin-/);
  });

  // Last: the exception it approves marks findings of the month as 例外適用.
  it("section 11 shows the open case, the exception (期限間近) with the findings it covers and the month's master/config changes — never a resident; section 12 says the month is not classified", async () => {
    const off = made.report.findings.find((f) => f.rule === 'off-hours' && f.outcome === 'new')!;
    const [resident] = await store.rows<{ id: string }>(
      `SELECT subject_id AS id FROM ${TABLES.events} WHERE subject_id != '' AND toYYYYMM(ts) = 202504 LIMIT 1`,
    );
    const watchId = 'e'.repeat(32);
    await store.client.insert({
      table: TABLES.findings,
      format: 'JSONEachRow',
      values: [
        {
          finding_id: watchId,
          rule: 'watchlist-access',
          rule_version: 1,
          severity: 'critical',
          day: '2025-04-22',
          user_id: off.userId,
          subject: resident.id,
          count: 1,
          summary: '要保護対象者の記録を参照',
          details: '{}',
          evidence_ids: [],
          evidence_total: 1,
          params: '{}',
          window_from: '2025-04-22 00:00:00.000',
          window_to: '2025-04-22 23:59:59.999',
          run_id: 'run-catchup-0501',
          detected_at: '2025-05-01 01:02:00.000',
          updated_at: '2025-05-01 01:02:00.000',
        },
      ],
    });
    const dir = scratchDir('report-casework');
    try {
      const { exception, findingsCovered } = await app.get(ExceptionsService).add(
        {
          rule: 'off-hours',
          userIds: [off.userId],
          validFrom: '2025-04-01',
          validTo: '2025-05-15',
          reason: '確定申告期の窓口延長',
          reference: '川総情第123号',
          requestedBy: '市民課長',
          approvedBy: '情報政策課長',
        },
        '情報政策課 佐藤',
      );
      const ownOffHours = made.report.findings.filter((f) => f.rule === 'off-hours' && f.userId === off.userId).length;
      expect(findingsCovered).toBe(ownOffHours);
      const kase = await app.get(CasesService).open({
        userId: off.userId,
        title: '時間外の参照が続いている件',
        owner: '情報政策課 鈴木',
        by: '情報政策課 佐藤',
        findingIds: [off.id, watchId],
      });
      const trail = app.get(AuditTrailService);
      const change = (kind: 'masters' | 'config', summary: string, at: string) =>
        trail.record({ kind, subject: kind === 'masters' ? 'staff' : 'rules', summary, actor: '情報政策課 佐藤' }, new Date(at));
      await change('masters', '職員マスタの監視対象を変更：管理者権限 1 名追加', '2025-04-15T10:00:00+09:00');
      await change('config', 'ルールを停止しました：self-lookup', '2025-04-20T17:30:00+09:00');
      await change('config', '五月の設定変更（対象月外）', '2025-05-02T09:00:00+09:00');

      const again = await app.get(ReportsService).make('2025-04', { outDir: dir, trigger: 'test' });
      const f = (format: string) => again.files.find((x) => x.format === format)!.path;
      const cw = again.report.casework;
      expect(cw.cases).toEqual([
        expect.objectContaining({
          id: kase.id,
          userId: off.userId,
          title: '時間外の参照が続いている件',
          state: '受付',
          owner: '情報政策課 鈴木',
          findings: 2,
        }),
      ]);
      expect(cw.exceptions).toEqual([
        expect.objectContaining({ id: exception.id, reference: '川総情第123号', findings: ownOffHours, expiring: true }),
      ]);
      expect(cw.changes.map((c) => c.summary)).toEqual([
        '職員マスタの監視対象を変更：管理者権限 1 名追加',
        'ルールを停止しました：self-lookup',
      ]);

      const reading = readPdf(f('pdf'));
      const remaining = '終結していない事案が 1 件、期限が近い例外承認が 1 件あります（11 事案・例外承認・監査記録）。';
      expect(squash(reading.pages.join(''))).toContain(squash(remaining));
      expect(made.report.summary.paragraphs.flatMap((p) => p.lines).join('')).not.toContain('終結していない事案');
      const pageOf = (title: string) => Number(new RegExp(`${title}\\s+(\\d+)`).exec(reading.pages[1])![1]);
      const section11 = squash(reading.pages.slice(pageOf('11 事案・例外承認・監査記録') - 1, pageOf('12 アクセスの説明') - 1).join(''));
      for (const words of [
        kase.id,
        off.userId,
        '時間外の参照が続いている件',
        '受付',
        '情報政策課 鈴木',
        '川総情第123号',
        '確定申告期の窓口延長',
        '情報政策課長',
        '2025-05-15',
        '期限間近',
        'マスタの変更（監視対象）',
        '職員マスタの監視対象を変更：管理者権限 1 名追加',
        'ルールを停止しました：self-lookup',
        '2025-04-15 10:00',
      ])
        expect([words, section11.includes(squash(words))]).toEqual([words, true]);
      expect(section11).not.toContain('五月の設定変更');
      expect(section11).not.toContain(resident.id);
      const residents = await store.rows<{ id: string }>(`SELECT DISTINCT subject_id AS id FROM ${TABLES.events} WHERE subject_id != ''`);
      expect(residents.length).toBeGreaterThan(10);
      expect(residents.filter((r) => section11.includes(r.id))).toEqual([]);
      const section12 = squash(reading.pages.slice(pageOf('12 アクセスの説明') - 1).join(''));
      expect(section12).toContain(squash('説明のないアクセスのルールは対象月を分類していません'));

      const html = readFileSync(f('html'), 'utf8');
      const html11 = html.slice(html.indexOf('<h2 id="casework">'), html.indexOf('<h2 id="explanations">'));
      for (const words of [kase.id, '川総情第123号', '期限間近', '職員マスタの監視対象を変更：管理者権限 1 名追加'])
        expect([words, html11.includes(words)]).toEqual([words, true]);
      expect(residents.filter((r) => html11.includes(r.id))).toEqual([]);
      expect(html).toContain('<h2 id="explanations">12 アクセスの説明</h2>');
      expect(html).toContain('説明のないアクセスのルールは対象月を分類していません');
    } finally {
      await store.client.command({
        query: `DELETE FROM ${TABLES.findings} WHERE finding_id = {id:FixedString(32)}`,
        query_params: { id: watchId },
      });
    }
  });
  it("tells monitoring when last month's report is overdue (kansa_report_overdue) and counts failed automatic runs", async () => {
    const at = (now: string, outputDir: string) =>
      openReportsApp(store, now, { report: { ...store.config.report, outputDir, formats: ['csv'] } }, [
        MetricsService,
        ServiceStatsRepository,
      ]);
    const metric = async (a: INestApplicationContext, name: string) => a.get(MetricsService).registry.getSingleMetricAsString(name);
    // June 2025, never made: not overdue on the deadline day (the automatic run makes it that day), overdue the day after.
    const onDeadline = await at('2025-07-10T05:00:00+09:00', autoDir);
    try {
      expect(await metric(onDeadline, 'kansa_report_overdue')).toMatch(/^kansa_report_overdue\{month="2025-06"\} 0$/m);
    } finally {
      await onDeadline.close();
    }
    // The day after, the automatic run fails (its output directory cannot be made): overdue, one failure counted.
    const blocked = join(scratchDir('report-blocked'), 'a-file');
    writeFileSync(blocked, '');
    const failing = await at('2025-07-11T06:30:00+09:00', blocked);
    try {
      await expect(failing.get(ReportCronService).runDue()).rejects.toThrow(/ENOTDIR|EEXIST/);
      expect(await metric(failing, 'kansa_report_overdue')).toMatch(/^kansa_report_overdue\{month="2025-06"\} 1$/m);
      expect(await metric(failing, 'kansa_report_failures_total')).toMatch(/^kansa_report_failures_total 1$/m);
    } finally {
      await failing.close();
    }
    // Made the next day, by a process started again: the failure is still known (what the console shows,
    // GET /api/reports/status: when it failed, how and why) until the report is made; then it is not overdue.
    const fixed = await at('2025-07-12T06:30:00+09:00', autoDir);
    try {
      expect(await fixed.get(ReportsService).lastMonth()).toEqual({
        month: '2025-06',
        made: false,
        overdue: true,
        deadlineDay: 10,
        lastFailure: {
          month: '2025-06',
          at: '2025-07-11 06:30',
          trigger: 'auto',
          format: '',
          message: expect.stringMatching(/ENOTDIR|EEXIST/),
        },
      });
      expect((await fixed.get(ReportCronService).runDue()).state).toBe('made');
      expect((await fixed.get(ReportsService).lastMonth()).lastFailure).toBeNull();
      expect(await metric(fixed, 'kansa_report_overdue')).toMatch(/^kansa_report_overdue\{month="2025-06"\} 0$/m);
      expect(await metric(fixed, 'kansa_report_failures_total')).toMatch(/^kansa_report_failures_total 0$/m);
    } finally {
      await fixed.close();
    }
  });
});
