import { Command } from 'commander';
import { EventLookupInputError, EventLookupResult, EventLookupService } from '@kansa/analyzer/events/event-lookup.service';
import { AccessAuditRepository } from '@kansa/service-shell';
import { CommandContext } from '../context';
import { asUserError, UserError } from '../errors';
import { cliActor } from './cli-actor';

/**
 * `kansa events --subject <宛名番号|統合宛名番号> | --user <ID> --purpose TEXT [--reference R] [--from D] [--to D] [--json]`.
 * Reads personal data: the purpose is required and the look-up is recorded
 * in the audit log (who: the OS user) before anything is printed.
 */
export function registerEventsCommand(program: Command, ctx: () => CommandContext): void {
  program
    .command('events')
    .description('住民への全アクセス（開示請求対応: 宛名番号・統合宛名番号のどちらでも）または職員の操作を一覧する')
    .option('--subject <number>', '宛名番号（10桁）または統合宛名番号（15桁）')
    .option('--user <id>', '職員ID')
    .option('--from <YYYY-MM-DD>', 'この日以降')
    .option('--to <YYYY-MM-DD>', 'この日以前')
    .option('--limit <n>', '最大件数 (default 100000)', (v) => Number(v))
    .option('--purpose <text>', '利用目的 (必須、記録されます。例: 開示請求 令和7年 第12号)')
    .option('--reference <text>', '開示請求などの受付番号 (記録されます)')
    .action(
      async (opts: {
        subject?: string;
        user?: string;
        from?: string;
        to?: string;
        limit?: number;
        purpose?: string;
        reference?: string;
      }) => {
        const c = ctx();
        const purpose = opts.purpose?.trim() ?? '';
        if (purpose.length < 2) {
          throw new UserError(
            '--purpose: 利用目的を記入してください (例: --purpose "開示請求 令和7年 第12号"); 照会は記録されます (purpose required)',
          );
        }
        if (Boolean(opts.subject) === Boolean(opts.user)) {
          throw new UserError('give either --subject <宛名番号|統合宛名番号> or --user <職員ID> (どちらか一方を指定してください)');
        }
        if (opts.limit !== undefined && !(Number.isInteger(opts.limit) && opts.limit > 0)) {
          throw new UserError('--limit: expected a positive integer (件数が不正です)');
        }
        await c.withApp(async (app) => {
          const lookup = app.get(EventLookupService);
          const query = { fromDay: opts.from, toDay: opts.to, limit: opts.limit };
          await app.get(AccessAuditRepository).record({
            kind: 'read',
            actor: cliActor(),
            route: 'kansa events',
            query: { subject: opts.subject, user: opts.user, from: opts.from, to: opts.to, limit: opts.limit },
            purpose,
            reference: opts.reference ?? '',
          });
          const result: EventLookupResult = await asUserError(
            () => (opts.subject ? lookup.bySubject(opts.subject, query) : lookup.byUser(opts.user!, query)),
            EventLookupInputError,
          );
          c.print(formatEvents(result, opts.subject ? 'subject' : 'user'), result);
        });
      },
    );
}

function formatEvents(result: EventLookupResult, by: 'subject' | 'user'): string {
  const head =
    by === 'subject'
      ? `対象番号 ${result.matched.join(' / ')} へのアクセス ${result.total} 件`
      : `職員 ${result.matched[0]} の操作 ${result.total} 件`;
  const lines = result.events.map((e) =>
    [
      e.ts,
      e.source,
      e.userId,
      e.userName,
      e.departmentCode,
      e.terminalId,
      e.action,
      e.businessCode || e.screenId,
      by === 'user' ? e.subjectId : '',
      e.reason,
      e.outcome,
    ]
      .filter((v) => v !== '')
      .join('  '),
  );
  const more = result.total > result.events.length ? [`… ほか ${result.total - result.events.length} 件（--limit で増やせます）`] : [];
  return [head, ...lines, ...more].join('\n');
}
