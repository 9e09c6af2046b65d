import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { KANSA_CONFIG, KansaConfig, REPORT_FORMATS, ReportFormat } from '@kansa/config';
import { CLOCK, Clock, jstTimestamp, systemClock } from '../core/clock';
import { renderCsv } from './renderers/csv.renderer';
import { renderHtml } from './renderers/html.renderer';
import { renderPdf } from './renderers/pdf.renderer';
import { ReportBuilderService } from './data/report-builder.service';
import { ReportDataRepository } from './data/report-data.repository';
import type { MonthlyReport } from './model/report.model';
import { renderXlsx } from './renderers/xlsx.renderer';

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

  /** Gathers the month once and writes every format requested, each with a `.sha256` beside it. */
  async make(month: string, options: MakeReportOptions = {}): Promise<MadeReport> {
    const formats = [...new Set(options.formats ?? REPORT_FORMATS)];
    for (const f of formats) {
      if (!(REPORT_FORMATS as readonly string[]).includes(f)) throw new Error(`--format: unknown format "${f}" (pdf, html, xlsx, csv)`);
    }
    const started = Date.now();
    const report = await this.builder.build(month);
    const gatherMs = Date.now() - started;
    const dir = resolve(options.outDir ?? join(this.config.report.outputDir, month));
    mkdirSync(dir, { recursive: true });
    const files: ReportFile[] = [];
    for (const format of formats) {
      const t0 = Date.now();
      const bytes = await render(report, format);
      const path = join(dir, FILE_NAME(month, format));
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      // Written under a temporary name and renamed: a reader never sees half a report.
      writeFileSync(`${path}.part`, bytes);
      renameSync(`${path}.part`, path);
      writeFileSync(`${path}.sha256`, `${sha256}  ${FILE_NAME(month, format)}\n`);
      files.push({ format, path, bytes: bytes.length, sha256, ms: Date.now() - t0 });
    }
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
        trigger: options.trigger ?? 'manual',
        made_at: madeAt,
      });
    }
    this.logger.log(`report ${month}: ${files.map((f) => f.path).join(', ')}`);
    return { month, report, files, gatherMs };
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

  /** The file of one month and format, or null when it was never made (for GET /api/reports/:month/:format). */
  async path(month: string, format: string): Promise<string | null> {
    const hit = (await this.list()).find((r) => r.month === month && r.format === format);
    return hit?.path ?? null;
  }
}

export async function render(report: MonthlyReport, format: ReportFormat): Promise<Buffer> {
  switch (format) {
    case 'pdf':
      return renderPdf(report);
    case 'html':
      return Buffer.from(renderHtml(report), 'utf8');
    case 'xlsx':
      return renderXlsx(report);
    case 'csv':
      return renderCsv(report);
  }
}
