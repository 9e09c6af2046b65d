import { Command } from 'commander';
import { REPORT_FORMATS, ReportFormat } from '@kansa/config';
import { checkMonth } from '@kansa/calendar';
import { ReportsService } from '@kansa/analyzer/reports/reports.service';
import { CommandContext } from '../context';
import { UserError } from '../errors';

const FORMAT_TITLES: Record<ReportFormat, string> = { pdf: 'PDF', html: 'HTML', xlsx: 'Excel', csv: 'CSV（検知一覧）' };

/** `kansa report --month YYYY-MM [--format pdf,html,xlsx,csv] [--out DIR]`: writes the monthly report. */
export function registerReportCommand(program: Command, ctx: () => CommandContext): void {
  program
    .command('report')
    .description('月次のログ分析結果報告書を作成する (monthly report: PDF, HTML, XLSX, CSV)')
    .requiredOption('--month <YYYY-MM>', '対象月 (month, e.g. 2025-04)')
    .option('--format <list>', `形式（カンマ区切り） formats: ${REPORT_FORMATS.join(',')}`, REPORT_FORMATS.join(','))
    .option('--out <dir>', '出力先フォルダ (output folder; default report.outputDir/<YYYY-MM>)')
    .action(async (opts: { month: string; format: string; out?: string }) => {
      const c = ctx();
      checkMonth('--month', opts.month);
      const formats = opts.format
        .split(',')
        .map((f) => f.trim().toLowerCase())
        .filter(Boolean);
      const unknown = formats.filter((f) => !(REPORT_FORMATS as readonly string[]).includes(f));
      if (unknown.length || formats.length === 0) {
        throw new UserError(
          `--format: unknown format "${unknown.join(',') || opts.format}"; use ${REPORT_FORMATS.join(',')} (形式の指定が正しくありません)`,
        );
      }
      await c.withApp(async (app) => {
        const made = await app
          .get(ReportsService, { strict: false })
          .make(opts.month, { formats: formats as ReportFormat[], outDir: opts.out, trigger: 'manual' });
        const r = made.report;
        const lines = [
          `ログ分析結果報告書（${opts.month}）を作成しました。`,
          `  ログ ${r.scope.total.toLocaleString('ja-JP')} 件、検知 ${r.findings.length} 件、継続案件 ${r.carriedOver.length} 件`,
          ...made.files.map((f) => `  ${FORMAT_TITLES[f.format].padEnd(6)} ${f.path}  (SHA-256 ${f.sha256.slice(0, 16)}…)`),
        ];
        if (!r.completeness.complete)
          lines.push('注意: 対象月のデータは不完全です（報告書の表紙に記載しました）:', ...r.completeness.notes.map((n) => `  ・${n}`));
        c.print(lines.join('\n'), {
          month: made.month,
          complete: r.completeness.complete,
          notes: r.completeness.notes,
          events: r.scope.total,
          findings: r.findings.length,
          carriedOver: r.carriedOver.length,
          dataDigest: r.integrity.dataDigest,
          files: made.files.map(({ format, path, bytes, sha256 }) => ({ format, path, bytes, sha256 })),
        });
      });
    });
}
