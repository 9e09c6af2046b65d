import { formatCount } from '@kansa/domain';
import { Command } from 'commander';
import { KansaConfig, parseReportFormats, REPORT_FORMATS, ReportFormat } from '@kansa/config';
import { checkMonth } from '@kansa/calendar';
import { MadeReport, ReportFailedError, ReportInputError, ReportsService } from '@kansa/analyzer/reports/reports.service';
import { CommandContext } from '../context';
import { asUserError, UserError } from '../errors';

const FORMAT_TITLES: Record<ReportFormat, string> = { pdf: 'PDF', html: 'HTML', xlsx: 'Excel', csv: 'CSV（検知一覧）' };

interface ReportOptions {
  month?: string;
  format: string;
  out?: string;
}

/**
 * `kansa report --month YYYY-MM [--format pdf,html,xlsx,csv] [--out DIR]`: writes the monthly report;
 * `kansa report finalize --month YYYY-MM --by NAME --reason TEXT`: an officer finalises (確定) it.
 */
export function registerReportCommand(program: Command, ctx: () => CommandContext): void {
  const report = program
    .command('report')
    .description('月次のログ分析結果報告書を作成する (monthly report: PDF, HTML, XLSX, CSV)')
    .option('--month <YYYY-MM>', '対象月 (month, e.g. 2025-04; required)')
    .option('--format <list>', `形式（カンマ区切り） formats: ${REPORT_FORMATS.join(',')}`, REPORT_FORMATS.join(','))
    .option('--out <dir>', '出力先フォルダ (output folder; default report.outputDir/<YYYY-MM>)')
    .action(async (opts: ReportOptions) => {
      const c = ctx();
      const month = monthOf(opts);
      const formats = formatsOf(opts);
      await c.withApp(async (app) => {
        const made = await asReportError(() =>
          app.get(ReportsService, { strict: false }).make(month, { formats, outDir: opts.out, trigger: 'manual' }),
        );
        print(c, `ログ分析結果報告書（${month}）を作成しました。`, made);
      });
    });

  report
    .command('finalize')
    .description('報告書を確定する：未確認の検知が残っていても、責任者が理由を付して確定版にする (finalise the month; recorded)')
    .requiredOption('--by <name>', '確定する責任者 (who finalises, e.g. 情報政策課長 山田)')
    .requiredOption('--reason <text>', '確定の理由 (why, recorded and printed in the report)')
    .action(async (opts: { by: string; reason: string }, cmd: Command) => {
      const c = ctx();
      const parent = cmd.parent!.opts<ReportOptions>();
      const month = monthOf(parent);
      const formats = formatsOf(parent);
      await c.withApp(async (app) => {
        const done = await asReportError(() =>
          app.get(ReportsService, { strict: false }).finalize(month, opts.by, opts.reason, { formats, outDir: parent.out }),
        );
        print(
          c,
          `ログ分析結果報告書（${month}）を確定しました（${done.at}、${done.by}、未確認・確認中 ${done.undecided} 件を残して確定）。\n  理由: ${done.reason}`,
          done.made,
          { finalised: { by: done.by, at: done.at, reason: done.reason, undecided: done.undecided } },
        );
      });
    });
}

/**
 * A finalisation refused (no month over, who or why missing): one line,
 * exit 2 (asUserError). A report that could not be made (a folder that
 * cannot be written, a renderer out of memory): one line naming the month
 * and the reason, exit 1 — the operator's to mend, not a fault of kansa to
 * show a stack trace for. Storage unavailable is CommandContext's, as ever.
 */
async function asReportError<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await asUserError(fn, ReportInputError);
  } catch (err) {
    throw err instanceof ReportFailedError ? new UserError(err.message, 1) : err;
  }
}

function monthOf(opts: ReportOptions): string {
  if (!opts.month) throw new UserError("required option '--month <YYYY-MM>' not specified (対象月を指定してください)");
  checkMonth('--month', opts.month);
  return opts.month;
}

function formatsOf(opts: ReportOptions): ReportFormat[] {
  try {
    return parseReportFormats(opts.format, '--format');
  } catch (err) {
    throw new UserError((err as Error).message);
  }
}

/** What was written, its status, and what is incomplete or unset; the same as JSON with --json. */
function print(c: CommandContext, first: string, made: MadeReport, extra: Record<string, unknown> = {}): void {
  const r = made.report;
  const lines = [
    first,
    `  ${r.status.label}　ログ ${formatCount(r.scope.total)} 件、検知 ${r.findings.length} 件（未確認・確認中 ${r.review.undecided} 件）、継続案件 ${r.carriedOver.length} 件`,
    `  ${r.integrity.verification.verdict}`,
    ...made.files.map((f) => `  ${FORMAT_TITLES[f.format].padEnd(6)} ${f.path}  (SHA-256 ${f.sha256.slice(0, 16)}…)`),
  ];
  if (!r.completeness.complete)
    lines.push('注意: 対象月のデータは不完全です（報告書の表紙に記載しました）:', ...r.completeness.notes.map((n) => `  ・${n}`));
  lines.push(...unsetNotes(c.config));
  c.print(lines.join('\n'), {
    month: made.month,
    status: r.status.label,
    final: r.status.final,
    complete: r.completeness.complete,
    notes: r.completeness.notes,
    events: r.scope.total,
    findings: r.findings.length,
    undecided: r.review.undecided,
    carriedOver: r.carriedOver.length,
    verification: r.integrity.verification.verdict,
    dataDigest: r.integrity.dataDigest,
    files: made.files.map(({ format, path, bytes, sha256 }) => ({ format, path, bytes, sha256 })),
    ...extra,
  });
}

/** Settings a signable report needs that the site has not made. */
function unsetNotes(config: KansaConfig): string[] {
  return config.organisation.name.trim()
    ? []
    : ['注意: 団体名が設定されていません（設定ファイルの organisation.name）。表紙には「団体名未設定」と記載しました。'];
}
