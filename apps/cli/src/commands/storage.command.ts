import { Command } from 'commander';
import { VerifyService } from '@kansa/integrity';
import {
  clusterScript,
  CompactedMonth,
  CompactionProgress,
  describeTarget,
  StorageCompactionService,
  StorageTransferService,
  TABLES,
  TransferProgress,
  TransferRefusedError,
} from '@kansa/storage';
import { resolve } from 'node:path';
import { CommandContext } from '../context';
import { asUserError, UserError } from '../errors';
import { chainHeads } from './verify.command';

/**
 * `kansa storage export <dir>` / `import <dir> [--resume]`: moves a site's
 * data to another storage (a ClickHouse server), the chains verified there
 * (docs/storage.md). `cluster-ddl --cluster C`: the schema for a replicated
 * cluster. `compact`: rewrites the months stored before the denser codecs.
 */
export function registerStorageCommand(program: Command, ctx: () => CommandContext): void {
  const storage = program.command('storage').description('保存先の移行とクラスタ用スキーマ (moving storage, the cluster schema)');
  storage
    .command('export <dir>')
    .description('保存データ全体をフォルダに書き出す (write every table to a folder, to move to another storage)')
    .action(async (dir: string) => {
      const c = ctx();
      const target = resolve(dir);
      // The collector completes a commit a process left pending before anything is read.
      const manifest = await c.withApp(
        (app) => refusals(() => app.get(StorageTransferService).exportTo(target, (p) => !c.json && c.out.write(transferLine(p)))),
        { collector: true },
      );
      const events = manifest.events.partitions.reduce((n, p) => n + p.rows, 0);
      c.print(
        `書き出し完了: ${describeTarget(c.config.storage)} → ${target} (${manifest.tables.length}表、ログ ${rows(events)}、${manifest.events.partitions.length}か月)。` +
          '読み込み先で `kansa storage import` を実行してください (exported; run kansa storage import against the target)',
        manifest,
      );
    });

  storage
    .command('import <dir>')
    .description('書き出したデータを、空の保存先 (CLICKHOUSE_URL など) に読み込み、整合性を検証する (import an export, then verify)')
    .option('--resume', 'continue an interrupted import of this export')
    .action(async (dir: string, options: { resume?: boolean }) => {
      const c = ctx();
      const source = resolve(dir);
      const report = await c.withApp(
        async (app) => {
          await refusals(() =>
            app.get(StorageTransferService).importFrom(source, { resume: options.resume }, (p) => !c.json && c.out.write(transferLine(p))),
          );
          return app.get(VerifyService).verify();
        },
        { collector: true },
      );
      const heads = chainHeads(report.sources);
      c.print(
        [`読み込み完了: ${source} → ${describeTarget(c.config.storage)}。整合性検証: ${report.ok ? '正常' : '異常あり'}`, ...heads].join(
          '\n',
        ),
        report,
      );
      if (!report.ok) {
        c.err.write('kansa: the imported data does not verify / 読み込んだデータの整合性検証に失敗しました — kansa verify\n');
        process.exitCode = 1;
      }
    });

  storage
    .command('compact')
    .description('以前の版で保存したログの月を、現在の圧縮方式で書き直す (rewrite months stored before the denser codecs; rows unchanged)')
    .action(async () => {
      const c = ctx();
      const months = await c.withApp((app) => app.get(StorageCompactionService).compact((p) => !c.json && c.out.write(compactionLine(p))), {
        collector: true,
      });
      const before = months.reduce((n, m) => n + m.bytesBefore, 0);
      const after = months.reduce((n, m) => n + m.bytesAfter, 0);
      c.print(
        months.length === 0
          ? '書き直す月はありません: すべて現在の圧縮方式で保存されています (nothing to rewrite)'
          : `書き直し完了: ${compactedMonths(months)}、${mb(before)} → ${mb(after)} (行とダイジェストは書き直し前と同一)`,
        { months, bytesBefore: before, bytesAfter: after },
      );
    });

  storage
    .command('cluster-ddl')
    .description(
      'ClickHouse クラスタ用のテーブル定義 (Replicated*, ON CLUSTER) を出力する (print the schema for a replicated cluster, from the migrations)',
    )
    .requiredOption('--cluster <name>', "the cluster name of the servers' remote_servers configuration")
    .option('--after <version>', 'only the migrations newer than this version (upgrading a cluster set up before)', '0')
    .action((options: { cluster: string; after: string }) => {
      const after = Number(options.after);
      if (!Number.isInteger(after) || after < 0) throw new UserError(`--after ${options.after}: a migration number (マイグレーション番号)`);
      let script: string;
      try {
        script = clusterScript(options.cluster, after);
      } catch (err) {
        throw new UserError((err as Error).message);
      }
      ctx().out.write(script);
    });
}

/** A refused transfer is the operator's to fix: a one-line reason, exit 2. */
const refusals = <T>(fn: () => Promise<T>): Promise<T> => asUserError(fn, TransferRefusedError);

function transferLine(p: TransferProgress): string {
  const done = p.skipped ? '読み込み済み (already there)' : rows(p.rows);
  return p.kind === 'table' ? `  ${p.table}: ${done}\n` : `  events [${p.index}/${p.total}] ${month(p.partition)}: ${done}\n`;
}

/** ログ 2か月・別保管 1か月・取込記録: the months rewritten, per table (events, the lines kept apart), and the ledger (one whole). */
function compactedMonths(months: readonly CompactedMonth[]): string {
  const n = (table: string) => months.filter((m) => m.table === table).length;
  return [
    ['ログ', n(TABLES.events)],
    ['別保管', n(TABLES.eventsApart)],
  ]
    .filter(([, k]) => k)
    .map(([label, k]) => `${label} ${k}か月`)
    .concat(n(TABLES.importBatches) ? ['取込記録'] : [])
    .join('・');
}

function compactionLine(p: CompactionProgress): string {
  return `  ${p.table} [${p.index}/${p.total}] ${month(p.partition)}: ${rows(p.rows)}、${mb(p.bytesBefore)} → ${mb(p.bytesAfter)}\n`;
}

function mb(bytes: number): string {
  return `${(bytes / 2 ** 20).toLocaleString('en-US', { maximumFractionDigits: 1 })} MB`;
}

function month(partition: string): string {
  if (partition === 'all') return '全体';
  return /^\d{6}$/.test(partition) ? `${partition.slice(0, 4)}-${partition.slice(4)}` : partition;
}

function rows(n: number): string {
  return `${n.toLocaleString('en-US')}行`;
}
