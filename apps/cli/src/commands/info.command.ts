import { Command } from 'commander';
import { redactConfig } from '@kansa/config';
import { CLICKHOUSE, describeTarget, StoredCountsRepository } from '@kansa/storage';
import { ClickHouseClient } from '@clickhouse/client';
import { countPendingIntents } from '@kansa/collector/sink/commit-intent';
import { SetAsideRepository } from '@kansa/collector/sink/set-aside.repository';
import { formatCount } from '@kansa/domain';
import { resolve } from 'node:path';
import { CommandContext } from '../context';
import { describeSetAside } from './batches.command';

/**
 * `kansa info`: where the data lives, what is stored, batches set aside or
 * waiting to be completed, the configuration in force. Reads only (the
 * collector is not started).
 */
export function registerInfoCommand(program: Command, ctx: () => CommandContext): void {
  program
    .command('info')
    .description('保存先・件数・保留中のバッチ・設定を表示する (storage, counts, set-aside batches and configuration)')
    .action(async () => {
      const c = ctx();
      await c.withApp(async (app) => {
        const client = app.get<ClickHouseClient>(CLICKHOUSE);
        const counts = await app.get(StoredCountsRepository).counts();
        const setAside = await new SetAsideRepository(client).list('set_aside');
        const pending = await countPendingIntents(client, c.config.storage.url ? undefined : resolve(c.config.storage.dataDir));
        const storage = describeTarget(c.config.storage);
        const lines = [
          `保存先 (storage): ${storage}`,
          `ログのイベント (events): ${formatCount(counts.events)}`,
          `隔離した行 (quarantined): ${formatCount(counts.quarantined)}`,
          `検知結果 (findings): ${formatCount(counts.findings)}`,
          `保留中のバッチ (set aside): ${formatCount(setAside.length)}${setAside.length ? ' — `kansa batches list` / `kansa batches replay <id>`' : ''}`,
          ...setAside.map((b) => `  ${describeSetAside(b)}`),
          `完了待ちのバッチ (pending commits): ${formatCount(pending)}${pending ? ' — 次に kansa import / serve / verify を実行したときに完了します (completed when the collector next starts)' : ''}`,
        ];
        c.print(lines.join('\n'), {
          storage,
          counts: { ...counts, setAside: setAside.length, pendingCommits: pending },
          setAside: setAside.map(({ intent: _intent, ...b }) => b),
          config: redactConfig(c.config),
        });
      });
    });
}
