import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { KANSA_CONFIG, KansaConfig, REPORT_FORMATS, ReportFormat } from '@kansa/config';
import { previousMonth } from '@kansa/calendar';
import { isRetryable } from '@kansa/storage';
import { CLOCK, Clock, jstDay, jstTimestamp, systemClock } from '../core/clock';
import { Rendered, RenderError, renderApart } from './renderers/render-apart';
import { monthWindow, ReportBuilderService } from './data/report-builder.service';
import { ReportDataRepository, ReportFailure } from './data/report-data.repository';
import type { MonthlyReport } from './model/report.model';

export interface MakeReportOptions {
  formats?: readonly ReportFormat[];
  /** Folder for the files; default report.outputDir/<YYYY-MM>. */
  outDir?: string;
  /** Why it was made: 'manual' (kansa report), 'auto' (monthly job), 'demo', 'bench'. */
  trigger?: string;
}

export interface ReportFile {
  format: ReportFormat;
  path: string;
  bytes: number;
  sha256: string;
  /** Time to render and write this format (ms). */
  ms: number;
}

export interface MadeReport {
  month: string;
  report: MonthlyReport;
  files: ReportFile[];
  /** Time to gather the data from the database (ms). */
  gatherMs: number;
}

export interface ReportListing {
  month: string;
  format: ReportFormat;
  path: string;
  bytes: number;
  sha256: string;
  dataDigest: string;
  complete: boolean;
  findings: number;
  trigger: string;
  madeAt: string;
}

const FILE_NAME = (month: string, format: ReportFormat) => `kansa-report-${month}.${format}`;

/** A finalisation refused: the month is not over, or who or why is missing. */
export class ReportInputError extends Error {}

/**
 * A report that could not be made (gathering, rendering or writing it
 * failed), for a reason retrying will not mend: recorded in report_failures
 * and logged by ReportsService.make, with the original error as its cause.
 * Its message names the month and the reason, as the console and the command
 * line show it.
 */
export class ReportFailedError extends Error {
  constructor(month: string, cause: unknown) {
    super(`${month} の報告書を作成できませんでした (the report could not be made): ${(cause as Error).message}`, { cause });
  }
}

export interface LastMonthReport {
  month: string;
  made: boolean;
  overdue: boolean;
  deadlineDay: number;
  /** Why the latest attempt to make it failed (any trigger), null once it is made; kept in storage across restarts. */
  lastFailure: ReportFailure | null;
}

export interface Finalised {
  month: string;
  by: string;
  reason: string;
  at: string;
  /** Findings undecided when it was finalised (the report says how many were left). */
  undecided: number;
  /** The report made again, now 確定. */
  made: MadeReport;
}

/** Makes, records and finds monthly reports. */
@Injectable()
export class ReportsService {
  private readonly logger = new Logger(ReportsService.name);

  constructor(
    private readonly builder: ReportBuilderService,
    private readonly data: ReportDataRepository,
    @Inject(KANSA_CONFIG) private readonly config: KansaConfig,
    @Optional() @Inject(CLOCK) private readonly clock: Clock | null,
  ) {}

  /**
   * Gathers the month once and writes every format requested, each with a
   * `.sha256` beside it. A failure is recorded (report_failures). Storage
   * unavailable (or busy) is thrown as it is, for the caller's own handling
   * of it (503, retry later); any other failure is thrown as a
   * ReportFailedError. Whoever asked says it, once: the monthly job and the
   * console's route in the service's log, `kansa report` on its own line.
   */
  async make(month: string, options: MakeReportOptions = {}): Promise<MadeReport> {
    const formats = [...new Set(options.formats ?? REPORT_FORMATS)];
    for (const f of formats) {
      if (!(REPORT_FORMATS as readonly string[]).includes(f)) throw new Error(`--format: unknown format "${f}" (pdf, html, xlsx, csv)`);
    }
    const trigger = options.trigger ?? 'manual';
    try {
      return await this.write(month, formats, { ...options, trigger });
    } catch (err) {
      await this.recordFailure(month, trigger, err);
      throw isRetryable(err) ? err : new ReportFailedError(month, err);
    }
  }

  private async recordFailure(month: string, trigger: string, err: unknown): Promise<void> {
    const message = (err as Error).message;
    await this.data
      .insertReportFailure({
        month,
        failed_at: jstTimestamp((this.clock ?? systemClock).now()),
        trigger,
        format: err instanceof RenderError ? err.format : '',
        message,
      })
      .catch((e: Error) => this.logger.error(`report ${month}: the failure could not be recorded: ${e.message}`));
  }

  private async write(month: string, formats: ReportFormat[], options: MakeReportOptions & { trigger: string }): Promise<MadeReport> {
    const started = Date.now();
    const report = await this.builder.build(month);
    const gatherMs = Date.now() - started;
    const dir = resolve(options.outDir ?? join(this.config.report.outputDir, month));
    mkdirSync(dir, { recursive: true });
    const files = writeAll(
      dir,
      month,
      await renderApart(report, formats, this.config.report, { timeoutMs: this.config.report.renderTimeoutSeconds * 1000 }),
    );
    const madeAt = jstTimestamp((this.clock ?? systemClock).now());
    for (const f of files) {
      await this.data.insertReport({
        month,
        format: f.format,
        path: f.path,
        bytes: f.bytes,
        sha256: f.sha256,
        data_digest: report.integrity.dataDigest,
        complete: report.completeness.complete,
        findings: report.findings.length,
        trigger: options.trigger,
        made_at: madeAt,
      });
    }
    this.logger.log(`report ${month}: ${files.map((f) => f.path).join(', ')}`);
    return { month, report, files, gatherMs };
  }

  /**
   * An officer finalises (確定) a month while findings are still undecided,
   * with a stated reason: recorded append-only (who, when, why, and which
   * findings were undecided then), and the month's report is made again so
   * that every format says 確定 and why. The console may call this as it is.
   */
  async finalize(month: string, by: string, reason: string, options: MakeReportOptions = {}): Promise<Finalised> {
    const who = by.trim();
    const why = reason.trim();
    if (!who) throw new ReportInputError('--by: who finalises the report is required (確定する責任者の氏名・職名を指定してください)');
    if (why.length < 4) throw new ReportInputError('--reason: state why the report is finalised (確定の理由を4文字以上で記載してください)');
    const w = monthWindow(month);
    const now = (this.clock ?? systemClock).now();
    if (jstTimestamp(now).slice(0, 10) <= w.to)
      throw new ReportInputError(`--month ${month}: the month is not over yet (対象月が終わっていないため確定できません)`);
    const before = await this.builder.build(month);
    const undecided = before.findings.filter((f) => f.outcome === 'new' || f.outcome === 'reviewing').map((f) => f.id);
    const at = jstTimestamp(now);
    await this.data.insertFinalisation({
      month,
      finalised_at: at,
      by: who,
      reason: why,
      undecided,
      data_digest: before.integrity.dataDigest,
    });
    this.logger.log(`report ${month} finalised by ${who} (${undecided.length} undecided): ${why}`);
    const made = await this.make(month, {
      formats: options.formats ?? this.config.report.formats,
      outDir: options.outDir,
      trigger: options.trigger ?? 'finalize',
    });
    return { month, by: who, reason: why, at: at.slice(0, 16), undecided: undecided.length, made };
  }

  /** Reports made so far, newest month first (for GET /api/reports). */
  async list(): Promise<ReportListing[]> {
    return (await this.data.listReports()).map((r) => ({
      month: r.month,
      format: r.format as ReportFormat,
      path: r.path,
      bytes: Number(r.bytes),
      sha256: r.sha256,
      dataDigest: r.data_digest,
      complete: Boolean(r.complete),
      findings: Number(r.findings),
      trigger: r.trigger,
      madeAt: r.made_at,
    }));
  }

  /**
   * Last month (JST) and its report: made or not, and overdue — not made
   * though report.deadlineDay has passed (the automatic run makes it on that
   * day whatever the state of the analysis, so a report still missing the
   * day after has failed, or the automatic run is off and nobody made it).
   */
  async lastMonth(): Promise<LastMonthReport> {
    const today = jstDay((this.clock ?? systemClock).now());
    const month = previousMonth(today);
    const made = (await this.list()).some((r) => r.month === month);
    const deadlineDay = this.config.report.deadlineDay;
    return {
      month,
      made,
      overdue: !made && Number(today.slice(8)) > deadlineDay,
      deadlineDay,
      lastFailure: made ? null : await this.data.lastReportFailure(month),
    };
  }

  /** The file of one month and format, or null when it was never made (for GET /api/reports/:month/:format). */
  async path(month: string, format: string): Promise<string | null> {
    const hit = (await this.list()).find((r) => r.month === month && r.format === format);
    return hit?.path ?? null;
  }
}

/**
 * Writes every format and its `.sha256` under temporary names first, then
 * renames them all: a reader never sees half a file, and a write that fails
 * (disk full, a folder in the way) leaves the files of an earlier run of the
 * month as they were, its temporary files removed — never some formats new
 * and some old beside a register that names the old ones.
 */
function writeAll(dir: string, month: string, rendered: Rendered[]): ReportFile[] {
  const files = rendered.map(({ format, bytes, ms }) => ({
    format,
    path: join(dir, FILE_NAME(month, format)),
    bytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    ms,
  }));
  const written: string[] = [];
  try {
    files.forEach((f, i) => {
      for (const [path, content] of [
        [f.path, rendered[i].bytes],
        [`${f.path}.sha256`, `${f.sha256}  ${FILE_NAME(month, f.format)}\n`],
      ] as const) {
        written.push(path);
        writeFileSync(`${path}.part`, content);
      }
    });
  } catch (err) {
    for (const path of written) removePart(`${path}.part`);
    throw err;
  }
  for (const path of written) renameSync(`${path}.part`, path);
  return files;
}

/** A temporary file removed; a folder in its place (not kansa's) is left alone. */
function removePart(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // EISDIR and the like: nothing of ours to remove.
  }
}
