import { INestApplicationContext } from '@nestjs/common';
import { Command } from 'commander';
import { checkDayRange } from '@kansa/calendar';
import { SEVERITY_TITLES } from '@kansa/domain';
import { AnalysisFailedError, AnalysisInputError, AnalysisService, AnalyzeResult } from '@kansa/analyzer/detection/analysis.service';
import { RuleParamsError } from '@kansa/rules';
import { FindingsService } from '@kansa/analyzer/findings/findings.service';
import type { FindingView } from '@kansa/analyzer/findings/findings.types';
import { AnalysedWindow, AnalysisSchedulerService } from '@kansa/analyzer/scheduling/analysis-scheduler.service';
import { CommandContext } from '../context';
import { UserError } from '../errors';

/** Repeatable and comma-separated: `--rule a --rule b,c`. */
export function collectList(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean),
  ];
}

/**
 * `kansa analyze --from D --to D [--rule ID]…`: runs the rules over whole JST
 * days and prints findings per rule. `kansa analyze --due`: runs every due
 * (rule, day) up to yesterday — exactly the service's catch-up — for sites
 * that drive kansa from cron.
 */
export function registerAnalyzeCommand(program: Command, ctx: () => CommandContext): void {
  program
    .command('analyze')
    .description(
      '指定期間（日単位・両端を含む）に検知ルールを実行し、ルールごとに検知結果を表示する（--due: 分析が必要なルール・日をすべて分析する）',
    )
    .option('--from <YYYY-MM-DD>', '開始日 (first day)')
    .option('--to <YYYY-MM-DD>', '終了日 (last day, inclusive)')
    .option('--rule <id>', 'ルールID（複数指定可） rule ID, repeatable', collectList, [])
    .option(
      '--due',
      '未分析・ログやマスタの更新後未分析のルール・日を昨日まですべて分析する（常駐時の追いつき処理と同じ） (run every due rule-day)',
    )
    .action(async (opts: { from?: string; to?: string; rule: string[]; due?: boolean }) => {
      const c = ctx();
      if (opts.due) {
        const given = [opts.from && '--from', opts.to && '--to', opts.rule.length && '--rule'].filter(Boolean);
        if (given.length) {
          throw new UserError(
            `--due cannot be combined with ${given.join(', ')}: it runs every due rule and day up to yesterday (--due と ${given.join('・')} は同時に指定できません)`,
          );
        }
        await c.withApp((app) => analyzeDue(c, app));
        return;
      }
      if (!opts.from || !opts.to) {
        throw new UserError(
          'give the days with --from D --to D, or --due for every due rule and day (--from と --to で期間を指定するか、--due を指定してください)',
        );
      }
      const { from, to } = opts;
      checkDayRange('--from', from, '--to', to);
      await c.withApp(async (app) => {
        let result: AnalyzeResult;
        try {
          result = await app.get(AnalysisService).analyze({ fromDay: from, toDay: to, rules: opts.rule });
        } catch (err) {
          if (err instanceof AnalysisInputError || err instanceof RuleParamsError) throw new UserError(err.message);
          if (err instanceof AnalysisFailedError) {
            throw new UserError(`${err.message} (ルールの実行に失敗しました。他のルールの結果は保存済みです)`, 1);
          }
          throw err;
        }
        const findings = await app.get(FindingsService).list({ from, to, rules: result.rules.map((r) => r.rule) });
        c.print(formatAnalysis(result, findings), { ...result, findings: findings.map(findingSummary) });
      });
    });
}

/** `--due`: the scheduler's catch-up, run once; prints each window and rule, exits 1 naming any rule that failed. */
async function analyzeDue(c: CommandContext, app: INestApplicationContext): Promise<void> {
  let windows: AnalysedWindow[];
  try {
    windows = await app.get(AnalysisSchedulerService).catchUp('due');
  } catch (err) {
    if (err instanceof RuleParamsError) throw new UserError(err.message);
    throw err;
  }
  c.print(formatDue(windows), { windows });
  const failed = [...new Set(windows.flatMap((w) => w.failed.map((f) => f.rule)))];
  if (failed.length) {
    throw new UserError(
      `rule ${failed.join(', ')} failed; its days stay due and the next --due retries them ` +
        '(ルールの実行に失敗しました。他のルールの結果は保存済みです)',
      1,
    );
  }
}

export function formatDue(windows: AnalysedWindow[]): string {
  if (windows.length === 0) return '分析が必要なルール・日はありません（昨日まで分析済みです） (nothing is due)';
  const findings = windows.reduce((n, w) => n + w.findings, 0);
  const withdrawn = windows.reduce((n, w) => n + w.rules.reduce((m, r) => m + r.withdrawn, 0), 0);
  const lines = [
    `分析が必要なルール・日を分析しました: ${windows.length} 期間  検知 ${findings} 件${withdrawn ? `（取り下げ ${withdrawn} 件）` : ''}`,
  ];
  for (const w of windows) {
    lines.push('', `${w.fromDay} 〜 ${w.toDay}  ${w.rules.length + w.failed.length} ルール  検知 ${w.findings} 件`);
    for (const r of w.rules) lines.push(`  ${r.title} (${r.rule})  ${r.findings} 件${r.withdrawn ? `（取り下げ ${r.withdrawn} 件）` : ''}`);
    for (const f of w.failed) lines.push(`  ${f.rule}  失敗: ${f.error}`);
  }
  lines.push('', '検知結果の一覧: kansa findings');
  return lines.join('\n');
}

export function formatAnalysis(result: AnalyzeResult, findings: FindingView[]): string {
  const lines = [`分析期間 ${result.fromDay} 〜 ${result.toDay}（${result.seconds.toFixed(1)} 秒）  検知 ${result.findings} 件`];
  for (const r of result.rules) {
    const own = findings.filter((f) => f.rule === r.rule);
    const withdrawn = r.withdrawn ? `（取り下げ ${r.withdrawn} 件）` : '';
    lines.push('', `■ ${r.title} (${r.rule})  ${r.findings} 件${withdrawn}`);
    for (const f of own.slice(0, 20)) {
      const excepted = f.exception ? `  〔例外適用 ${f.exception.id} ${f.exception.reference}〕` : '';
      lines.push(`  ${f.day}  ${f.userId || f.subject}  [${SEVERITY_TITLES[f.severity]}]  ${f.summary}${excepted}`);
    }
    if (own.length > 20) lines.push(`  … ほか ${own.length - 20} 件（kansa findings --rule ${r.rule} で一覧）`);
  }
  if (result.exceptionsExpiring.length) {
    lines.push('', `■ 期限が近い例外承認（${result.exceptionsExpiring.length} 件）: 延長が必要なら再承認してください`);
    for (const x of result.exceptionsExpiring) lines.push(`  ${x.id}  ${x.rule}  ${x.validTo} まで  決裁 ${x.reference}`);
  }
  return lines.join('\n');
}

/** The fields `kansa findings --json` promises (spec/interfaces.md), then the rest. */
export function findingSummary(f: FindingView): Record<string, unknown> {
  const { id, rule, severity, day, userId, subject, count, status, ...rest } = f;
  return { id, rule, severity, day, userId, subject, count, status, ...rest };
}
