import { addMonths, monthRange, monthsEnding } from '@kansa/calendar';
import { INestApplicationContext } from '@nestjs/common';
import { join } from 'node:path';
import type { KansaConfig } from '@kansa/config';
import {
  APPROVED_DEVICE,
  DEMO_CITY,
  demoHistoryReview,
  demoReview,
  DemoResult,
  DemoReviewStep,
  generateDemo,
  writeResentDelivery,
} from '@kansa/demo';
import { VerifyService } from '@kansa/integrity';
import { MastersService } from '@kansa/masters';
import { AnalysisService, AnalyzeResult } from '@kansa/analyzer/detection/analysis.service';
import { FindingsService } from '@kansa/analyzer/findings/findings.service';
import type { FindingView } from '@kansa/analyzer/findings/findings.types';
import { MadeReport, ReportsService } from '@kansa/analyzer/reports/reports.service';
import { FileImportService } from '@kansa/collector/sources/file-import/file-import.service';
import { approvePlannedExceptions, demoCasework, DemoCasework } from './demo-casework';
import { demoExplanations } from './demo-explanations';
import type { ExplanationMeasure } from '@kansa/analyzer/explanations/explanations.service';
import { formatCount as fmt } from '@kansa/domain';

/**
 * Months of history generated and imported before the demo month: the logs a
 * city already holds, so that look-back rules (unused accounts: 90 days) see a
 * real past, and the report's previous month and 12-month trend have months
 * to show. They are analysed too; the demo month is reported.
 */
export const HISTORY_MONTHS = 3;

/** A planted incident of the generated month (the manifest's `expected`). */
export interface Planted {
  rule: string;
  day: string;
  userId: string;
  subject: string;
}

export interface DemoImportSummary {
  files: number;
  read: number;
  stored: number;
  duplicates: number;
  quarantined: number;
  /** Windows records kept apart (SYSTEM logons, process starts): not staff activity. */
  apart: number;
  seconds: number;
}

export interface DemoRunOptions {
  outDir: string;
  month: string;
  staff: number;
  seed: string;
  /** Progress lines (stderr for the command). */
  say?: (line: string) => void;
  /** Files imported so far (a TTY progress counter). */
  progress?: (done: number, total: number) => void;
}

export interface DemoRun {
  generated: DemoResult;
  history: DemoImportSummary | null;
  imported: DemoImportSummary;
  result: AnalyzeResult;
  findings: FindingView[];
  planted: Planted[];
  casework: DemoCasework;
  /** Ordinary work explained against the planted look-ups (docs/explanations.md). */
  explanations: ExplanationMeasure;
  report: MadeReport;
}

/**
 * The sample city's settings, unless the site configuration has its own: the
 * approved USB memory the decoys assume, and the city's name and approval
 * boxes on the report. `kansa demo` applies them once the application has
 * started, so that the configuration compared with the audit trail at start-up
 * is the file's (no change recorded, none alerted to the 監査担当).
 */
export function applyDemoCity(config: KansaConfig): void {
  const approved = config.rules.approvedDevices;
  if (!approved.includes(APPROVED_DEVICE)) approved.push(APPROVED_DEVICE);
  if (!config.organisation.name.trim()) {
    config.organisation = { ...DEMO_CITY.organisation };
    config.report.approvers = [...DEMO_CITY.approvers];
  }
}

/**
 * What `kansa demo` does inside the application (the collector included):
 * generate the month and its history, load the masters, import (history, the
 * month, a re-sent file), approve the planned exceptions and analyse every
 * month, record the sample city's triage, its casework (a repeat case, the
 * watchlist tamper alert), verify the chains, and make the month's report.
 */
export async function runDemo(app: INestApplicationContext, o: DemoRunOptions): Promise<DemoRun> {
  const say = o.say ?? (() => undefined);
  const { month } = o;
  say(`1/8 生成: ${month}（と前 ${HISTORY_MONTHS} か月の履歴） 職員 ${o.staff} 人 → ${o.outDir}`);
  const generated = generateDemo({ outDir: o.outDir, month, staff: o.staff, seed: o.seed, historyMonths: HISTORY_MONTHS });
  const resent = writeResentDelivery(o.outDir, generated.logsDir, month);
  const historyEvents = Object.values(generated.manifest.history?.valid_events ?? {}).reduce((a, b) => a + b, 0);
  say(`    ${generated.files} ファイル  ${month} ${fmt(generated.events)} 件・履歴 ${fmt(historyEvents)} 件`);
  say('2/8 マスタ取り込み');
  await app.get(MastersService).load(generated.mastersDir, { by: 'kansa demo' });
  say('3/8 ログ取り込み');
  const history = generated.historyDir ? await importLogs(app, [generated.historyDir], o.progress) : null;
  if (history)
    say(
      `    履歴 ${history.files} ファイル  ${fmt(history.stored)} 件取り込み（重複 ${fmt(history.duplicates)}・隔離 ${fmt(history.quarantined)}）`,
    );
  const imported = await importLogs(app, [generated.logsDir], o.progress);
  say(
    `    ${month} ${imported.files} ファイル  ${fmt(imported.stored)} 件取り込み（重複 ${fmt(imported.duplicates)}・隔離 ${fmt(imported.quarantined)}・別保管 ${fmt(imported.apart)}）`,
  );
  if (resent) {
    const again = await importLogs(app, [resent.dir]);
    say(`    再送ファイル 1 件  ${again.stored} 件取り込み（重複 ${again.duplicates}・隔離 ${again.quarantined}）`);
  }
  say('4/8 分析（事前に承認された例外を登録してから）');
  const exceptionIds = await approvePlannedExceptions(app, generated.manifest.planned);
  const analysis = app.get(AnalysisService);
  for (const m of historyMonths(month, HISTORY_MONTHS)) await analysis.analyze({ ...monthDays(m), kind: 'demo' });
  const { fromDay, toDay } = monthDays(month);
  const result = await analysis.analyze({ fromDay, toDay, kind: 'demo' });
  const findings = await app.get(FindingsService).list({ from: fromDay, to: toDay });
  const explanations = await demoExplanations(app, { from: fromDay, to: toDay }, generated.manifest.misuse);
  say('5/8 確認（サンプルの確認結果を記録）');
  say(`    ${await sampleReview(app, month)} 件に確認結果を記録`);
  say('6/8 事案・例外承認・マスタ変更の監査');
  const casework = await demoCasework(app, month, { from: fromDay, to: toDay }, exceptionIds, generated.tamperedMastersDir);
  say('7/8 ログの改ざん検知チェーンの検証');
  const verified = await app.get(VerifyService).verify();
  say(`    ${verified.ok ? '正常' : '異常あり'}（${verified.batchesChecked} バッチ）`);
  say('8/8 月次報告書');
  const report = await app.get(ReportsService, { strict: false }).make(month, { outDir: join(o.outDir, 'report'), trigger: 'demo' });
  return { generated, history, imported, result, findings, planted: generated.manifest.expected, casework, explanations, report };
}

/** Imports every log file of the folders through the collector's file import. */
export async function importLogs(
  app: INestApplicationContext,
  dirs: string[],
  onFile: (done: number, total: number) => void = () => undefined,
): Promise<DemoImportSummary> {
  const files = app.get(FileImportService);
  const list = files.expand(dirs);
  const t0 = performance.now();
  const sum: DemoImportSummary = { files: list.length, read: 0, stored: 0, duplicates: 0, quarantined: 0, apart: 0, seconds: 0 };
  for (const [i, file] of list.entries()) {
    const r = await files.importFile(file);
    sum.read += r.read;
    sum.stored += r.stored;
    sum.duplicates += r.duplicates;
    sum.quarantined += r.quarantined;
    sum.apart += r.apart;
    onFile(i + 1, list.length);
  }
  sum.seconds = (performance.now() - t0) / 1000;
  return sum;
}

/** The sample city's reviewers record their decisions on findings not yet reviewed (a re-run leaves them as they are). */
async function sampleReview(app: INestApplicationContext, month: string): Promise<number> {
  const findings = app.get(FindingsService);
  const { fromDay, toDay } = monthDays(month);
  const [first] = historyMonths(month, HISTORY_MONTHS);
  let n = 0;
  const apply = async (id: string, steps: DemoReviewStep[]) => {
    for (const s of steps) await findings.transition(id, s.to, s.by, s.comment);
    if (steps.length) n++;
  };
  for (const f of await findings.list({ from: monthDays(first ?? month).fromDay, to: toDay })) {
    if (f.status !== 'new') continue;
    await apply(f.id, f.day >= fromDay ? demoReview(f.rule) : demoHistoryReview());
  }
  return n;
}

/** The `n` months before `month`, oldest first. */
function historyMonths(month: string, n: number): string[] {
  return monthsEnding(addMonths(month, -1), n);
}

export function monthDays(month: string): { fromDay: string; toDay: string } {
  const { from, to } = monthRange(month);
  return { fromDay: from, toDay: to };
}
