import { Command } from 'commander';
import { redactConfig } from '@kansa/config';
import { CLICKHOUSE, describeTarget, StoredCountsRepository } from '@kansa/storage';
import { ClickHouseClient } from '@clickhouse/client';
import { countPendingIntents } from '@kansa/collector/sink/commit-intent';
import { SetAsideRepository } from '@kansa/collector/sink/set-aside.repository';
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
          `storage: ${storage}`,
          `events: ${counts.events}`,
          `quarantined: ${counts.quarantined}`,
          `findings: ${counts.findings}`,
          `set aside (保留中のバッチ): ${setAside.length}${setAside.length ? ' — `kansa batches list` / `kansa batches replay <id>`' : ''}`,
          ...setAside.map((b) => `  ${describeSetAside(b)}`),
          `pending commits (完了待ちのバッチ): ${pending}${pending ? ' — completed when the collector next starts (kansa import / serve / verify)' : ''}`,
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
