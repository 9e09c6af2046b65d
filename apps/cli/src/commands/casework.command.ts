import { formatCount, sourceTitle } from '@kansa/domain';
import { Command } from 'commander';
import { AUDIT_KINDS, AuditKind, AuditTrailService } from '@kansa/audit-trail';
import { CASE_STATE_TITLES, Case, CaseState } from '@kansa/analyzer/casework/cases/case.model';
import { CasesService } from '@kansa/analyzer/casework/cases/cases.service';
import { CaseworkRequestError } from '@kansa/analyzer/casework/casework-request.error';
import { ExceptionRecord } from '@kansa/analyzer/casework/exceptions/exception.model';
import { ExceptionsService } from '@kansa/analyzer/casework/exceptions/exceptions.service';
import { AuditWatchService } from '@kansa/analyzer/casework/watch/audit-watch.service';
import { checkMonth } from '@kansa/calendar';
import { CommandContext } from '../context';
import { asUserError } from '../errors';
import { collectList } from './analyze.command';

/** Bad input of a casework command: one line, exit 2. */
const userErrors = <T>(fn: () => Promise<T>): Promise<T> => asUserError(fn, CaseworkRequestError);

function describeException(x: ExceptionRecord): string {
  const scope = [
    x.userIds.length && `職員 ${x.userIds.join('・')}`,
    x.departments.length && `所属 ${x.departments.join('・')}`,
    x.sources.length && `システム ${x.sources.join('・')}`,
    x.businessCodes.length && `業務 ${x.businessCodes.join('・')}`,
    x.days.length && `対象日 ${x.days.join('・')}`,
    x.maxCount !== null && `件数 ${x.maxCount} まで`,
  ].filter(Boolean);
  return (
    `${x.id} v${x.version}  ${x.state === 'active' ? '有効' : '取消'}  ${x.rule}  ${x.validFrom}〜${x.validTo}  ${scope.join('、') || '範囲の限定なし'}\n` +
    `    理由: ${x.reason}  決裁: ${x.reference}  申請 ${x.requestedBy} / 承認 ${x.approvedBy}  (${x.changedAt.slice(0, 16)} ${x.changedBy}${x.note ? `「${x.note}」` : ''})`
  );
}

function describeCase(c: Case): string {
  return `${c.id}  ${CASE_STATE_TITLES[c.state]}  職員 ${c.userId}  担当 ${c.owner}  検知 ${c.findingIds.length} 件  ${c.title}${c.outcome ? `  結果: ${c.outcome}` : ''}`;
}

/** `kansa exceptions …`: approved exceptions (例外承認). */
export function registerExceptionsCommand(program: Command, ctx: () => CommandContext): void {
  const exceptions = program.command('exceptions').description('例外承認（計画された正当な大量処理など）: add, edit, revoke, list, show');
  const scope = (cmd: Command) =>
    cmd
      .requiredOption('--rule <id>', '対象のルール')
      .option('--user <id>', '対象の職員（複数可）', collectList, [])
      .option('--department <code>', '対象の所属コード（複数可）', collectList, [])
      .option('--source <system>', '対象のシステム（複数可）', collectList, [])
      .option('--business-code <code>', '対象の業務コード（複数可）', collectList, [])
      .requiredOption('--from <YYYY-MM-DD>', '有効期間の開始日')
      .requiredOption('--to <YYYY-MM-DD>', '有効期間の終了日（最長 casework.exceptions.maxDays 日）')
      .option('--day <YYYY-MM-DD>', '期間のうち対象とする日だけ（複数可）', collectList, [])
      .option('--max-count <n>', '件数の上限を引き上げる（この件数までを例外とし、超えたら通常どおり検知）')
      .requiredOption('--reason <text>', '理由')
      .requiredOption('--reference <text>', '決裁番号などの参照')
      .requiredOption('--requested-by <name>', '申請者')
      .requiredOption('--approved-by <name>', '承認者（申請者とは別の人）')
      .option('--by <name>', '記録者（既定: 承認者）');
  type ScopeOptions = {
    rule: string;
    user: string[];
    department: string[];
    source: string[];
    businessCode: string[];
    from: string;
    to: string;
    day: string[];
    maxCount?: string;
    reason: string;
    reference: string;
    requestedBy: string;
    approvedBy: string;
    by?: string;
  };
  const input = (o: ScopeOptions) => ({
    rule: o.rule,
    userIds: o.user,
    departments: o.department,
    sources: o.source,
    businessCodes: o.businessCode,
    validFrom: o.from,
    validTo: o.to,
    days: o.day,
    maxCount: o.maxCount === undefined ? null : Number(o.maxCount),
    reason: o.reason,
    reference: o.reference,
    requestedBy: o.requestedBy,
    approvedBy: o.approvedBy,
  });

  scope(exceptions.command('add').description('例外承認を登録する')).action(async (o: ScopeOptions) => {
    const c = ctx();
    await c.withApp(async (app) => {
      const r = await userErrors(() => app.get(ExceptionsService).add(input(o), o.by ?? o.approvedBy));
      c.print(`登録しました（既存の検知 ${r.findingsCovered} 件に適用）\n${describeException(r.exception)}`, r);
    });
  });

  scope(exceptions.command('edit <id>').description('例外承認を変更する（新しい版になり、前の版も残る）')).action(
    async (id: string, o: ScopeOptions) => {
      const c = ctx();
      await c.withApp(async (app) => {
        const r = await userErrors(() => app.get(ExceptionsService).edit(id, input(o), o.by ?? o.approvedBy));
        c.print(`変更しました（既存の検知 ${r.findingsCovered} 件に適用）\n${describeException(r.exception)}`, r);
      });
    },
  );

  exceptions
    .command('revoke <id>')
    .description('例外承認を取り消す（対象だった検知は通常どおりに戻る）')
    .requiredOption('--by <name>', '記録者')
    .requiredOption('--reason <text>', '取消の理由')
    .action(async (id: string, o: { by: string; reason: string }) => {
      const c = ctx();
      await c.withApp(async (app) => {
        const x = await userErrors(() => app.get(ExceptionsService).revoke(id, o.by, o.reason));
        c.print(`取り消しました\n${describeException(x)}`, x);
      });
    });

  exceptions
    .command('list')
    .description('例外承認の一覧（最新の版）と、期限が近いもの')
    .option('--active', '有効なものだけ')
    .action(async (o: { active?: boolean }) => {
      const c = ctx();
      await c.withApp(async (app) => {
        const service = app.get(ExceptionsService);
        const list = await service.list(o.active ? { state: 'active' } : {});
        const expiring = await service.expiring();
        const lines = list.map(describeException);
        if (expiring.length) lines.push('', `期限が近い例外承認: ${expiring.map((x) => `${x.id}（${x.validTo} まで）`).join('、')}`);
        c.print(lines.length ? lines.join('\n') : '例外承認はありません', { exceptions: list, expiring });
      });
    });

  exceptions
    .command('show <id>')
    .description('例外承認のすべての版')
    .action(async (id: string) => {
      const c = ctx();
      await c.withApp(async (app) => {
        const versions = await userErrors(() => app.get(ExceptionsService).history(id));
        c.print(versions.map(describeException).join('\n'), versions);
      });
    });
}

/** `kansa cases …`: cases per person (事案) and repeat patterns (継続監視対象). */
export function registerCasesCommand(program: Command, ctx: () => CommandContext): void {
  const cases = program
    .command('cases')
    .description('事案（職員ごとの調査）と継続監視対象: open, list, show, note, link, unlink, state, owner, patterns');
  const run = (fn: (service: CasesService) => Promise<Case>, done: string) => async () => {
    const c = ctx();
    await c.withApp(async (app) => {
      const result = await userErrors(() => fn(app.get(CasesService)));
      c.print(`${done}\n${describeCase(result)}`, result);
    });
  };

  cases
    .command('open')
    .description('事案を開く')
    .requiredOption('--user <id>', '対象の職員ID')
    .requiredOption('--title <text>', '件名')
    .requiredOption('--by <name>', '記録者')
    .option('--owner <name>', '担当者（既定: 記録者）')
    .option('--finding <id>', '関連する検知（複数可）', collectList, [])
    .action((o: { user: string; title: string; by: string; owner?: string; finding: string[] }) =>
      run((s) => s.open({ userId: o.user, title: o.title, owner: o.owner ?? o.by, by: o.by, findingIds: o.finding }), '事案を開きました')(),
    );

  cases
    .command('list')
    .description('事案の一覧')
    .option('--state <state>', 'open | investigating | closed')
    .option('--user <id>', '職員ID')
    .action(async (o: { state?: CaseState; user?: string }) => {
      const c = ctx();
      await c.withApp(async (app) => {
        const list = await app.get(CasesService).list({ state: o.state, userId: o.user });
        c.print(list.length ? list.map(describeCase).join('\n') : '事案はありません', list);
      });
    });

  cases
    .command('show <id>')
    .description('事案の内容と経過')
    .action(async (id: string) => {
      const c = ctx();
      await c.withApp(async (app) => {
        const k = await userErrors(() => app.get(CasesService).get(id));
        const timeline = k.timeline.map(
          (e) =>
            `  ${e.at.slice(0, 16)}  ${e.by}  ${e.kind}${e.state ? ` → ${e.state}` : ''}${e.owner && e.kind === 'owner' ? ` ${e.owner}` : ''}${e.findingId ? ` ${e.findingId}` : ''}${e.text ? `  ${e.text}` : ''}`,
        );
        c.print([describeCase(k), ...timeline].join('\n'), k);
      });
    });

  cases
    .command('note <id>')
    .requiredOption('--by <name>', '記録者')
    .requiredOption('--text <text>', 'メモ')
    .description('メモを残す')
    .action((id: string, o: { by: string; text: string }) => run((s) => s.note(id, o.text, o.by), 'メモを残しました')());

  cases
    .command('link <id> <findings...>')
    .requiredOption('--by <name>', '記録者')
    .description('検知を事案に結びつける')
    .action((id: string, findings: string[], o: { by: string }) => run((s) => s.link(id, findings, o.by), '結びつけました')());

  cases
    .command('unlink <id> <finding>')
    .requiredOption('--by <name>', '記録者')
    .description('検知を事案から外す')
    .action((id: string, finding: string, o: { by: string }) => run((s) => s.unlink(id, finding, o.by), '外しました')());

  cases
    .command('state <id> <state>')
    .requiredOption('--by <name>', '記録者')
    .option('--outcome <text>', '終結の結果（closed のとき必須）', '')
    .description('状態を変える: investigating | closed')
    .action((id: string, state: CaseState, o: { by: string; outcome: string }) =>
      run((s) => s.setState(id, state, o.by, o.outcome), '変更しました')(),
    );

  cases
    .command('owner <id> <owner>')
    .requiredOption('--by <name>', '記録者')
    .description('担当者を変える')
    .action((id: string, owner: string, o: { by: string }) => run((s) => s.setOwner(id, owner, o.by), '変更しました')());

  cases
    .command('patterns')
    .description('継続監視対象（繰り返し検知されている職員）と理由')
    .requiredOption('--month <YYYY-MM>', '対象月')
    .action(async (o: { month: string }) => {
      checkMonth('--month', o.month);
      const c = ctx();
      await c.withApp(async (app) => {
        const patterns = await app.get(CasesService).patterns(o.month);
        const lines = patterns.map(
          (p) => `${p.userId}  ${p.reasons.join(' / ')}${p.openCases.length ? `  事案 ${p.openCases.join('・')}` : '  (事案なし)'}`,
        );
        c.print(lines.length ? lines.join('\n') : '継続監視対象はありません', patterns);
      });
    });
}

/** `kansa audit log | check`: the audit trail of kansa itself, and the watch over it. */
export function registerAuditCommand(program: Command, ctx: () => CommandContext): void {
  const audit = program
    .command('audit')
    .description('kansa 自体の監査ログ（設定・マスタ・例外の変更、検証失敗、時計、ログ量）: log, check');

  audit
    .command('log')
    .description('監査ログを表示する（新しい順）')
    .option('--from <YYYY-MM-DD>', '開始日')
    .option('--to <YYYY-MM-DD>', '終了日')
    .option('--kind <kind>', `種類（複数可）: ${Object.keys(AUDIT_KINDS).join(', ')}`, collectList, [])
    .action(async (o: { from?: string; to?: string; kind: string[] }) => {
      const c = ctx();
      await c.withApp(async (app) => {
        const changes = await app.get(AuditTrailService).list({ fromDay: o.from, toDay: o.to, kinds: o.kind });
        const lines = changes.map(
          (ch) => `${ch.at.slice(0, 19)}  ${AUDIT_KINDS[ch.kind as AuditKind] ?? ch.kind}  ${ch.actor}  ${ch.summary}`,
        );
        c.print(lines.length ? lines.join('\n') : '記録はありません', changes);
      });
    });

  audit
    .command('check')
    .description('改ざん検知チェーンの検証・時計・ログ量の点検を今すぐ行う（常駐時は毎日自動）')
    .action(async () => {
      const c = ctx();
      await c.withApp(async (app) => {
        const report = await app.get(AuditWatchService).check();
        const lines = [
          `検証: ${report.verify.ok ? '整合' : `異常 ${report.verify.problems.length} 件`}${report.verify.recorded ? '（監査ログに記録）' : ''}`,
          ...report.verify.problems.map((p) => `  ${p}`),
          `時計: ${report.clock.wentBackFrom ? `戻りあり（${report.clock.wentBackFrom} より前）` : '正常'}`,
          `ログ量: ${report.volume.length ? report.volume.map((v) => `${sourceTitle(v.source)} ${v.day} ${formatCount(v.events)}件（通常 ${formatCount(v.usual)}件）`).join('、') : '急減なし'}`,
        ];
        c.print(lines.join('\n'), report);
        if (!report.verify.ok) process.exitCode = 1;
      });
    });
}
