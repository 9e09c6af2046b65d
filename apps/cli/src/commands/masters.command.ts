import { Command } from 'commander';
import { resolve } from 'node:path';
import { AuditTrailService } from '@kansa/audit-trail';
import { describeMasterChanges, formatMasterError, MastersInvalidError, MastersRepository, MastersService } from '@kansa/masters';
import { CommandContext } from '../context';
import { UserError } from '../errors';

/** `kansa masters load <dir>` and `kansa masters list`. */
export function registerMastersCommand(program: Command, ctx: () => CommandContext): void {
  const masters = program.command('masters').description('マスタ（職員・休業・アカウント・時間外・要保護・権限・住民・カレンダー）');

  masters
    .command('load <dir>')
    .description('フォルダ内のマスタCSVを検証して取り込む（取り込みごとに新しい版になる）')
    .option('--effective-from <YYYY-MM-DD>', 'この日の 00:00 から有効とする（過去にさかのぼる取り込み）')
    .option('--by <name>', '取り込んだ人（監査証跡に記録。既定: OS のユーザー）')
    .action(async (dir: string, opts: { effectiveFrom?: string; by?: string }) => {
      const c = ctx();
      await c.withApp(async (app) => {
        try {
          const by = opts.by?.trim() || AuditTrailService.localOrigin();
          const result = await app.get(MastersService).load(resolve(dir), { effectiveFrom: opts.effectiveFrom, by });
          for (const name of result.ignored) c.err.write(`warning: ${name}: マスタではないため無視しました (not a master file, ignored)\n`);
          const lines = result.loaded.map((l) => `${l.file}\t${l.rows} 件\t版 ${l.version}\t有効開始 ${l.effectiveFrom.slice(0, 16)}`);
          c.print(['取り込みました:', ...lines, `監視対象の変更: ${describeMasterChanges(result.changes)}`].join('\n'), result);
        } catch (err) {
          if (err instanceof MastersInvalidError) {
            for (const e of err.errors) c.err.write(formatMasterError(e) + '\n');
            throw new UserError(err.message);
          }
          throw err;
        }
      });
    });

  masters
    .command('list')
    .description('取り込んだマスタの版を一覧する')
    .action(async () => {
      const c = ctx();
      await c.withApp(async (app) => {
        const versions = await app.get(MastersRepository).list();
        const lines = versions.map(
          (v) =>
            `${v.master}\t版 ${v.version}\t有効開始 ${v.effectiveFrom.slice(0, 16)}\t取込 ${v.loadedAt.slice(0, 16)}\t${v.rows} 件\t${v.fileName}`,
        );
        c.print(lines.length ? lines.join('\n') : 'マスタはまだ取り込まれていません', versions);
      });
    });
}
