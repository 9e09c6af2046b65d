/**
 * `npm run bench:report [-- --data-dir DIR --month YYYY-MM --findings N
 * --serious N --patterns N --row-limit N --formats pdf,xlsx,html,csv]`:
 * renders the monthly report of a month kept in a data directory (default
 * ./data and last month: what `npx kansa demo` leaves) with its long lists
 * grown to the sizes given, by repeating the month's own rows — a month with
 * tens of thousands of findings (docs/report.md). The defaults are the
 * seven-year directory's November 2026: 39,023 findings, 13,477 serious,
 * 13,507 repeated patterns. Each format is rendered alone in a process of its
 * own (what the report's rendering thread runs), so that its peak RSS is its
 * own. Prints one JSON object.
 */
import { NestFactory } from '@nestjs/core';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { previousMonth } from '@kansa/calendar';
import { loadConfig, parseReportFormats, REPORT_FORMATS, ReportFormat } from '@kansa/config';
import { jstDay } from '@kansa/domain';
import { ReportBuilderService } from '@kansa/analyzer/reports/data/report-builder.service';
import type { MonthlyReport } from '@kansa/analyzer/reports/model/report.model';
import { render } from '@kansa/analyzer/reports/renderers/render';
import { KansaModule } from '../apps/cli/src/kansa.module';
import { benchArgs } from './args';

interface Rendered {
  format: ReportFormat;
  rowLimit: number;
  seconds: number;
  peakRssMb: number;
  megabytes: number;
}

/** `n` rows made from `rows` in turn (each with an ID of its own where rows have one). */
function grown<T extends object>(rows: T[], n: number): T[] {
  if (rows.length === 0) return [];
  return Array.from({ length: n }, (_, i) => ({ ...rows[i % rows.length], ...('id' in rows[0] ? { id: `B${i}` } : {}) }));
}

function peakRssMb(): number {
  return Math.round(Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024);
}

/** The child: renders one format of a model file and prints what it took. */
async function renderOne(model: string, format: ReportFormat, rowLimit: number): Promise<void> {
  const report = JSON.parse(readFileSync(model, 'utf8')) as MonthlyReport;
  const started = performance.now();
  const bytes = await render(report, format, { pdfRowLimit: rowLimit });
  const out: Rendered = {
    format,
    rowLimit,
    seconds: Math.round(performance.now() - started) / 1000,
    peakRssMb: peakRssMb(),
    megabytes: Math.round(bytes.length / 1e5) / 10,
  };
  process.stdout.write(JSON.stringify(out));
}

export async function main(argv: string[]): Promise<void> {
  const args = benchArgs(argv);
  const rowLimit = args.num('row-limit', loadConfig({ env: {} }).report.pdfRowLimit, 0);
  const child = args.get('render');
  if (child) return renderOne(child, args.get('format') as ReportFormat, rowLimit);

  const dataDir = args.get('data-dir') ?? './data';
  const month = args.get('month') ?? previousMonth(jstDay(Date.now()));
  const formats = parseReportFormats(args.get('formats') ?? REPORT_FORMATS.join(','), '--formats');
  if (!existsSync(dataDir)) throw new Error(`--data-dir ${dataDir}: no such data directory (run npx kansa demo first, or give --data-dir)`);
  const sizes = { findings: args.num('findings', 39_023), serious: args.num('serious', 13_477), patterns: args.num('patterns', 13_507) };

  const config = loadConfig({ env: {}, overrides: { storage: { dataDir, url: '' } } });
  const app = await NestFactory.createApplicationContext(KansaModule.forRoot(config), { logger: ['error'] });
  let report: MonthlyReport;
  try {
    report = await app.get(ReportBuilderService).build(month);
  } finally {
    await app.close();
  }
  const own = { findings: report.findings.length, serious: report.summary.serious.length, patterns: report.casework.patterns.length };
  if (own.findings === 0)
    throw new Error(`${dataDir}: ${month} has no findings to grow (run npx kansa demo, or give --data-dir and --month)`);
  report.findings = grown(report.findings, sizes.findings);
  report.summary.serious = grown(report.summary.serious.length ? report.summary.serious : report.findings, sizes.serious);
  report.casework.patterns = grown(report.casework.patterns, sizes.patterns);

  const work = mkdtempSync(join(tmpdir(), 'kansa-bench-report-'));
  try {
    const model = join(work, 'model.json');
    writeFileSync(model, JSON.stringify(report));
    const rendered = formats.map((format) => {
      const out = execFileSync(
        process.execPath,
        [
          join(__dirname, '..', 'bin', 'bench.js'),
          'bench/report.bench.ts',
          '--render',
          model,
          '--format',
          format,
          '--row-limit',
          String(rowLimit),
        ],
        { cwd: join(__dirname, '..'), maxBuffer: 1 << 20 },
      );
      return JSON.parse(out.toString('utf8')) as Rendered;
    });
    process.stdout.write(
      JSON.stringify(
        {
          bench: 'report',
          month,
          monthsOwnRows: own,
          rows: { ...sizes, patterns: report.casework.patterns.length },
          pdfRowLimit: rowLimit,
          rendered,
          loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
