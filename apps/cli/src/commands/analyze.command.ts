import { Command } from 'commander';
import { SEVERITY_TITLES } from '@kansa/domain';
import { AnalysisFailedError, AnalysisInputError, AnalysisService, AnalyzeResult } from '@kansa/analyzer/detection/analysis.service';
import { RuleParamsError } from '@kansa/rules';
import { FindingsService } from '@kansa/analyzer/findings/findings.service';
import type { FindingView } from '@kansa/analyzer/findings/findings.types';
import { CommandContext } from '../context';
import { UserError } from '../errors';

/** Repeatable and comma-separated: `--rule a --rule b,c`. */
export function collectList(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

/** `kansa analyze --from D --to D [--rule ID]…`: runs the rules over whole JST days and prints findings per rule. */
export function registerAnalyzeCommand(program: Command, ctx: () => CommandContext): void {
  program
    .command('analyze')
    .description('指定期間（日単位・両端を含む）に検知ルールを実行し、ルールごとに検知結果を表示する')
    .requiredOption('--from <YYYY-MM-DD>', '開始日 (first day)')
    .requiredOption('--to <YYYY-MM-DD>', '終了日 (last day, inclusive)')
    .option('--rule <id>', 'ルールID（複数指定可） rule ID, repeatable', collectList, [])
    .action(async (opts: { from: string; to: string; rule: string[] }) => {
      const c = ctx();
      await c.withApp(async (app) => {
        let result: AnalyzeResult;
        try {
          result = await app.get(AnalysisService).analyze({ fromDay: opts.from, toDay: opts.to, rules: opts.rule });
        } catch (err) {
          if (err instanceof AnalysisInputError || err instanceof RuleParamsError) throw new UserError(err.message);
          if (err instanceof AnalysisFailedError) {
            throw new UserError(`${err.message} (ルールの実行に失敗しました。他のルールの結果は保存済みです)`, 1);
          }
          throw err;
        }
        const findings = await app.get(FindingsService).list({ from: opts.from, to: opts.to, rules: result.rules.map((r) => r.rule) });
        c.print(formatAnalysis(result, findings), { ...result, findings: findings.map(findingSummary) });
      });
    });
}

export function formatAnalysis(result: AnalyzeResult, findings: FindingView[]): string {
  const lines = [`分析期間 ${result.fromDay} 〜 ${result.toDay}（${result.seconds.toFixed(1)} 秒）  検知 ${result.findings} 件`];
  for (const r of result.rules) {
    const own = findings.filter((f) => f.rule === r.rule);
    const withdrawn = r.withdrawn ? `（取り下げ ${r.withdrawn} 件）` : '';
    lines.push('', `■ ${r.title} (${r.rule})  ${r.findings} 件${withdrawn}`);
    for (const f of own.slice(0, 20)) {
      lines.push(`  ${f.day}  ${f.userId || f.subject}  [${SEVERITY_TITLES[f.severity]}]  ${f.summary}`);
    }
    if (own.length > 20) lines.push(`  … ほか ${own.length - 20} 件（kansa findings --rule ${r.rule} で一覧）`);
  }
  return lines.join('\n');
}

/** The fields `kansa findings --json` promises (spec/interfaces.md), then the rest. */
export function findingSummary(f: FindingView): Record<string, unknown> {
  const { id, rule, severity, day, userId, subject, count, status, ...rest } = f;
  return { id, rule, severity, day, userId, subject, count, status, ...rest };
}
