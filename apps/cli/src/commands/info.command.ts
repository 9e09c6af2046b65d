import { Command } from 'commander';
import { redactConfig } from '@kansa/config';
import { describeTarget, TABLES } from '@kansa/storage';
import { ClickHouseClient } from '@clickhouse/client';
import { CLICKHOUSE } from '@kansa/storage';
import { CommandContext } from '../context';

/** `kansa info`: where the data lives, what is stored, the configuration in force. */
export function registerInfoCommand(program: Command, ctx: () => CommandContext): void {
  program
    .command('info')
    .description('保存先・件数・設定を表示する (storage, counts and configuration)')
    .action(async () => {
      const c = ctx();
      await c.withApp(async (app) => {
        const client = app.get<ClickHouseClient>(CLICKHOUSE);
        const [counts] = await (
          await client.query({
            query: `SELECT (SELECT count() FROM ${TABLES.events}) AS events,
                           (SELECT count() FROM ${TABLES.quarantine}) AS quarantined,
                           (SELECT count() FROM ${TABLES.findings} FINAL) AS findings`,
            format: 'JSONEachRow',
          })
        ).json<{ events: string; quarantined: string; findings: string }>();
        const storage = describeTarget(c.config.storage);
        c.print(
          `storage: ${storage}\nevents: ${counts.events}\nquarantined: ${counts.quarantined}\nfindings: ${counts.findings}`,
          { storage, counts: { events: Number(counts.events), quarantined: Number(counts.quarantined), findings: Number(counts.findings) }, config: redactConfig(c.config) },
        );
      });
    });
}
