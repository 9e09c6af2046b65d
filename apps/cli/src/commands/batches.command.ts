import { ClickHouseClient } from '@clickhouse/client';
import { Command } from 'commander';
import { CommitService, SetAsideRequestError } from '@kansa/collector/sink/commit.service';
import { SetAsideBatch, SetAsideRepository } from '@kansa/collector/sink/set-aside.repository';
import { formatCount, sourceLabel } from '@kansa/domain';
import { CLICKHOUSE } from '@kansa/storage';
import { CommandContext } from '../context';
import { asUserError } from '../errors';

const STATE_TITLES: Record<SetAsideBatch['state'], string> = { set_aside: '保留中', replayed: '再取込済み', discarded: '破棄' };

/** One line per set-aside batch, for `batches list` and `info`. */
export function describeSetAside(b: SetAsideBatch): string {
  const resolved = b.state === 'set_aside' ? '' : `  ${b.updatedAt.slice(0, 16)} ${b.updatedBy}${b.note ? `「${b.note}」` : ''}`;
  return `${b.batchId}  ${STATE_TITLES[b.state]}  ${sourceLabel(b.source)}  ${formatCount(b.lines)}行  ${b.setAsideAt.slice(0, 16)}  試行${b.attempts}回  ${b.origin}\n    理由: ${b.reason}${resolved}`;
}

/**
 * `kansa batches list|replay|discard`: batches whose commit storage refused
 * for good are set aside (nothing of them stored, their lines kept); an
 * operator replays one once the cause is fixed, or discards it with a reason.
 */
export function registerBatchesCommand(program: Command, ctx: () => CommandContext): void {
  const batches = program.command('batches').description('保存できず保留したバッチ (batches set aside: list, replay, discard)');

  batches
    .command('list')
    .description('保留中のバッチを一覧する (--all: 再取込・破棄したものも)')
    .option('--all', '処理済みも含める')
    .action(async (opts: { all?: boolean }) => {
      const c = ctx();
      await c.withApp(async (app) => {
        const list = await new SetAsideRepository(app.get<ClickHouseClient>(CLICKHOUSE)).list(opts.all ? undefined : 'set_aside');
        c.print(
          list.length ? list.map(describeSetAside).join('\n') : '保留中のバッチはありません',
          list.map(({ intent: _intent, ...b }) => b),
        );
      });
    });

  batches
    .command('replay <batchId>')
    .description('保留したバッチをもう一度保存する (原因を取り除いてから)')
    .requiredOption('--by <user>', '担当者 (who)')
    .option('--comment <text>', 'コメント', '')
    .action(async (batchId: string, opts: { by: string; comment: string }) => {
      const c = ctx();
      await c.withApp(
        async (app) => {
          const { outcome, batch } = await setAsideErrors(() => app.get(CommitService).replay(batchId, opts.by, opts.comment));
          if (outcome.kind === 'stored') {
            c.print(`${batchId}: 保存しました (保存 ${outcome.stored} 件、隔離 ${outcome.isolated.length} 件)`, {
              outcome,
              batch: { ...batch, intent: undefined },
            });
            return;
          }
          c.print(`${batchId}: まだ保存できません — 保留のままです (試行 ${batch.attempts} 回)\n    理由: ${outcome.failure.message}`, {
            outcome,
            batch: { ...batch, intent: undefined },
          });
          process.exitCode = 1;
        },
        { collector: true },
      );
    });

  batches
    .command('discard <batchId>')
    .description('保留したバッチを破棄する (理由は記録され、一覧に残る)')
    .requiredOption('--by <user>', '担当者 (who)')
    .requiredOption('--reason <text>', '破棄の理由')
    .action(async (batchId: string, opts: { by: string; reason: string }) => {
      const c = ctx();
      await c.withApp(
        async (app) => {
          const batch = await setAsideErrors(() => app.get(CommitService).discard(batchId, opts.by, opts.reason));
          c.print(`${batchId}: 破棄しました (${batch.updatedBy}「${batch.note}」)`, { ...batch, intent: undefined });
        },
        { collector: true },
      );
    });
}

const setAsideErrors = <T>(fn: () => Promise<T>): Promise<T> => asUserError(fn, SetAsideRequestError);
