import { Command } from 'commander';
import { FINDING_STATUS_TITLES, FINDING_STATUSES, FindingStatus, SEVERITY_TITLES, sourceLabel } from '@kansa/domain';
import { FindingConflictError, FindingNotFoundError, FindingTransitionError } from '@kansa/analyzer/findings/findings.errors';
import { FindingsService } from '@kansa/analyzer/findings/findings.service';
import { checkDayRange } from '@kansa/calendar';
import { getRule, RULES, unknownRulesMessage } from '@kansa/rules';
import { AccessAuditRepository } from '@kansa/service-shell';
import { CommandContext } from '../context';
import { asUserError, UserError } from '../errors';
import { collectList, findingSummary } from './analyze.command';
import { cliActor } from './cli-actor';

interface ListOptions {
  from?: string;
  to?: string;
  rule: string[];
  status: string[];
  user?: string;
}

/** `kansa findings [--from D] [--to D] [--rule ID] [--status S] [--user ID] [--json]`, `findings show <id>`, `findings transition …`. */
export function registerFindingsCommand(program: Command, ctx: () => CommandContext): void {
  const findings = program
    .command('findings')
    .description('検知結果を一覧する（--json で JSON 配列）')
    .option('--from <YYYY-MM-DD>', 'この日以降 (from day)')
    .option('--to <YYYY-MM-DD>', 'この日以前 (to day)')
    .option('--rule <id>', 'ルールID（複数指定可）', collectList, [])
    .option('--status <state>', `状態（複数指定可）: ${FINDING_STATUSES.join(', ')}`, collectList, [])
    .option('--user <id>', '職員ID')
    .action(async (opts: ListOptions) => {
      const c = ctx();
      checkDayRange('--from', opts.from, '--to', opts.to);
      const bad = opts.status.filter((s) => !FINDING_STATUSES.includes(s as FindingStatus));
      if (bad.length)
        throw new UserError(`--status: unknown state ${bad.join(', ')}; one of ${FINDING_STATUSES.join(', ')} (状態が不正です)`);
      const unknownRules = opts.rule.filter((id) => !getRule(id));
      if (unknownRules.length)
        throw new UserError(
          unknownRulesMessage(
            '--rule',
            unknownRules,
            RULES.map((r) => r.id),
          ),
        );
      await c.withApp(async (app) => {
        const list = await app.get(FindingsService).list({
          from: opts.from,
          to: opts.to,
          rules: opts.rule,
          statuses: opts.status as FindingStatus[],
          userId: opts.user,
        });
        const lines = list.map(
          (f) =>
            `${f.id}  ${f.day}  ${f.rule}  [${SEVERITY_TITLES[f.severity]}]  ${f.userId || sourceLabel(f.subject)}  ${f.count} 件  ${FINDING_STATUS_TITLES[f.status]}  ${f.summary}`,
        );
        if (c.json) c.out.write(JSON.stringify(list.map(findingSummary), null, 2) + '\n');
        else c.print(lines.length ? [...lines, `計 ${list.length} 件`].join('\n') : '該当する検知結果はありません');
      });
    });

  findings
    .command('show <id>')
    .description('検知結果の詳細（証跡のイベントID・パラメータ・対応履歴）')
    .action(async (id: string) => {
      const c = ctx();
      await c.withApp(async (app) => {
        const f = await app.get(FindingsService).get(id);
        if (!f) throw new UserError(new FindingNotFoundError(id).message);
        const lines = [
          `${f.ruleTitle} (${f.rule} v${f.ruleVersion})  重要度 ${SEVERITY_TITLES[f.severity]}  状態 ${FINDING_STATUS_TITLES[f.status]}`,
          `日付 ${f.day}  職員ID ${f.userId || '-'}  対象 ${f.subject}  件数 ${f.count}  (${f.firstAt ?? '-'} 〜 ${f.lastAt ?? '-'})`,
          f.summary,
          `パラメータ ${JSON.stringify(f.params)}  分析窓 ${f.window.from} 〜 ${f.window.to}  初回検知 ${f.detectedAt}`,
          `証跡イベント ${f.evidenceTotal} 件${f.evidenceTotal > f.evidenceIds.length ? `（先頭 ${f.evidenceIds.length} 件を保存）` : ''}`,
          ...f.history.map((h) => `  ${h.at}  ${h.by}  ${FINDING_STATUS_TITLES[h.from]} → ${FINDING_STATUS_TITLES[h.to]}  ${h.comment}`),
        ];
        c.print(lines.join('\n'), f);
      });
    });

  findings
    .command('transition <id> <state>')
    .description(`対応状況を変更する（履歴は上書きされない）: ${FINDING_STATUSES.join(', ')}`)
    .requiredOption('--by <user>', '担当者 (who)')
    .option('--comment <text>', 'コメント（判断の理由）', '')
    .action(async (id: string, state: string, opts: { by: string; comment: string }) => {
      const c = ctx();
      await c.withApp(async (app) => {
        await asUserError(
          async () => {
            const f = await app.get(FindingsService).transition(id, state as FindingStatus, opts.by, opts.comment);
            // The decision in kansa's audit log: who ran the command (the OS user) and for whom (--by).
            await app.get(AccessAuditRepository).record({
              kind: 'triage',
              actor: cliActor(),
              route: 'kansa findings transition',
              detail: { finding: f.id, to: f.status, by: opts.by, comment: opts.comment },
            });
            c.print(`${f.id}: ${FINDING_STATUS_TITLES[f.status]} に変更しました（${f.reviewedBy} ${f.reviewedAt}）`, findingSummary(f));
          },
          FindingTransitionError,
          FindingConflictError,
          FindingNotFoundError,
        );
      });
    });
}
