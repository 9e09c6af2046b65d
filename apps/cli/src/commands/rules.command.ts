import { Command } from 'commander';
import { SEVERITY_TITLES } from '@kansa/domain';
import { AnalysisInputError, AnalysisService } from '@kansa/analyzer/detection/analysis.service';
import { ALL_EVENTS, AnyRuleDefinition, lookbackDaysOf, resolveRuleParams, RuleParamsError, RULES } from '@kansa/rules';
import { CLOCK, Clock, jstDay } from '@kansa/analyzer/core/clock';
import { addDays } from '@kansa/calendar';
import { CommandContext } from '../context';
import { UserError } from '../errors';

/**
 * `kansa rules list | show <id>`: the rule catalogue as a reviewer or auditor
 * reads it — metadata, the parameters in force, what each rule reads, and
 * the full SQL as the engine receives it (parameters written in), ready to
 * paste into a ClickHouse client.
 */
export function registerRulesCommand(program: Command, ctx: () => CommandContext): void {
  const rules = program.command('rules').description('検知ルールの一覧と内容 (the rule catalogue)');

  rules
    .command('list')
    .description('検知ルールの一覧（版・重要度・パラメータ）')
    .action(async () => {
      const c = ctx();
      const list = RULES.map((r) => ({
        id: r.id,
        title: r.title,
        version: r.version,
        severity: r.severity,
        params: params(r, c.config.rules),
      }));
      c.print(
        list.map((r) => `${r.id}\tv${r.version}\t${SEVERITY_TITLES[r.severity]}\t${r.title}\t${JSON.stringify(r.params)}`).join('\n'),
        list,
      );
    });

  rules
    .command('show <id>')
    .description('ルールの説明・パラメータ・読むデータ・実行される SQL（パラメータ展開済み）を表示する')
    .option('--from <YYYY-MM-DD>', 'SQL を作る期間の開始日（既定: 前日）')
    .option('--to <YYYY-MM-DD>', '同 終了日（既定: --from と同じ日）')
    .action(async (id: string, opts: { from?: string; to?: string }) => {
      const c = ctx();
      await c.withApp(async (app) => {
        const yesterday = addDays(jstDay(app.get<Clock>(CLOCK).now()), -1);
        const fromDay = opts.from ?? yesterday;
        const toDay = opts.to ?? fromDay;
        let explained;
        try {
          explained = await app.get(AnalysisService).explain(id, fromDay, toDay);
        } catch (err) {
          if (err instanceof AnalysisInputError || err instanceof RuleParamsError) throw new UserError(err.message);
          throw err;
        }
        const { rule, segments } = explained;
        const reads = rule.reads;
        const lookback = lookbackDaysOf(rule, explained.params);
        const events = reads.events === ALL_EVENTS ? 'すべてのシステム' : (reads.events as readonly string[]).join(', ') || 'なし';
        const header = [
          `${rule.id} v${rule.version}  ${rule.title}  重要度 ${SEVERITY_TITLES[rule.severity]}`,
          `指針: ${rule.guideline}`,
          `説明: ${rule.description}`,
          `判定の内容: ${rule.explain.sentence(explained.params, { hours: c.config.calendar.businessHours })}（件数の単位: ${rule.explain.count.of}・${rule.explain.count.unit}）`,
          `パラメータ: ${JSON.stringify(explained.params)}`,
          `読むデータ: ログ ${events} / マスタ ${reads.masters.join(', ') || 'なし'} / さかのぼり ${lookback} 日`,
        ];
        const sql = segments.map(
          ({ segment, sql: text }) =>
            `-- ${rule.id} v${rule.version}: ${segment.fromDay} 〜 ${segment.toDay}（マスタ版 ${JSON.stringify(segment.masters)}）\n${text.trim()};`,
        );
        c.print([...header, '', ...sql].join('\n'), {
          id: rule.id,
          title: rule.title,
          version: rule.version,
          severity: rule.severity,
          guideline: rule.guideline,
          description: rule.description,
          sentence: rule.explain.sentence(explained.params, { hours: c.config.calendar.businessHours }),
          count: rule.explain.count,
          params: explained.params,
          reads: { events: reads.events, masters: reads.masters, lookbackDays: lookback },
          sql: segments.map(({ segment, sql: text }) => ({
            fromDay: segment.fromDay,
            toDay: segment.toDay,
            masters: segment.masters,
            sql: text,
          })),
        });
      });
    });
}

function params(rule: AnyRuleDefinition, settings: Parameters<typeof resolveRuleParams>[1]): unknown {
  try {
    return resolveRuleParams(rule, settings);
  } catch (err) {
    if (err instanceof RuleParamsError) throw new UserError(err.message);
    throw err;
  }
}
