import { formatCount } from '@kansa/domain';
import { Command } from 'commander';
import { MultiBar, Presets } from 'cli-progress';
import { HeaderMismatchError } from '@kansa/collector/pipeline/record-processor';
import { UnknownSourceError } from '@kansa/collector/pipeline/ingest.service';
import { SourceConfigError } from '@kansa/collector/source-systems/shared/source-system';
import { FileImportError, FileImportResult, FileImportService } from '@kansa/collector/sources/file-import/file-import.service';
import { CommandContext } from '../context';
import { UserError } from '../errors';

interface ImportOptions {
  source?: string;
  instance?: string;
}

/** `kansa import <file or dir>…`: per file, read = stored + duplicates + quarantined (with reasons). */
export function registerImportCommand(program: Command, ctx: () => CommandContext): void {
  program
    .command('import')
    .description('ログファイルを取り込む (import log files; source from the file name unless --source)')
    .argument('<paths...>', 'files or directories')
    .option('--source <source>', 'source system (jumin, atena, chukan, terminal, canonical, …)')
    .option('--instance <instance>', 'instance of the source system (e.g. a second server)')
    .action(async (paths: string[], options: ImportOptions) => {
      const c = ctx();
      await c.withApp(
        async (app) => {
          const importer = app.get(FileImportService);
          const plan = userErrors(() => {
            const files = importer.expand(paths);
            if (files.length === 0) throw new FileImportError(`${paths.join(' ')}: no files to import / 取り込むファイルがありません`);
            return files.map((file) => ({ file, source: importer.sourceOf(file, options.source) }));
          });
          const bars =
            !c.json && c.err.isTTY
              ? new MultiBar(
                  { stream: c.err, format: ' {bar} {percentage}% | {name} | {lines}行', hideCursor: true, clearOnComplete: true },
                  Presets.shades_classic,
                )
              : undefined;
          const results: FileImportResult[] = [];
          const refused: Array<{ file: string; error: string }> = [];
          try {
            for (const { file, source } of plan) {
              const bar = bars?.create(1, 0, { name: file.split('/').pop(), lines: 0 });
              try {
                const result = await importer.importFile(file, {
                  source,
                  instance: options.instance,
                  onProgress: (p) => bar?.update(p.totalBytes ? p.bytesRead / p.totalBytes : 1, { lines: p.counts.read }),
                });
                results.push(result);
                if (!bars) c.print(describe(result));
              } catch (err) {
                if (!(err instanceof HeaderMismatchError)) throw err;
                refused.push({ file, error: err.message });
              } finally {
                bar?.stop();
                if (bar) bars?.remove(bar);
              }
            }
          } finally {
            bars?.stop();
          }
          if (bars) for (const r of results) c.print(describe(r));
          const total = results.reduce(
            (t, r) => ({
              read: t.read + r.read,
              stored: t.stored + r.stored,
              duplicates: t.duplicates + r.duplicates,
              quarantined: t.quarantined + r.quarantined,
              apart: t.apart + r.apart,
              setAside: t.setAside + r.setAside,
            }),
            { read: 0, stored: 0, duplicates: 0, quarantined: 0, apart: 0, setAside: 0 },
          );
          c.print(results.length > 1 ? `合計 ${results.length}ファイル: ${counts(total)}` : '', { files: results, refused, total });
          if (total.setAside > 0) {
            // Kept, not stored: the operator decides (exit 1, so that a scheduled import is noticed).
            c.err.write(
              `kansa: ${total.setAside} lines in ${results.flatMap((r) => r.setAsideBatches).length} batch(es) could not be stored and were set aside; see \`kansa batches list\` / 保存できない行を保留しました\n`,
            );
            process.exitCode = 1;
          }
          if (refused.length > 0) {
            for (const r of refused.slice(1)) c.err.write(`kansa: ${r.error}\n`);
            throw new UserError(refused[0].error);
          }
        },
        { collector: true },
      );
    });
}

/** read / stored / duplicates / quarantined (and kept apart, set aside, when any): what became of every line. */
function counts(t: { read: number; stored: number; duplicates: number; quarantined: number; apart: number; setAside: number }): string {
  return (
    `読込 ${formatCount(t.read)} / 保存 ${formatCount(t.stored)} / 重複 ${formatCount(t.duplicates)} / 隔離 ${formatCount(t.quarantined)}` +
    `${t.apart ? ` / 別保管 ${formatCount(t.apart)}` : ''}${t.setAside ? ` / 保留 ${formatCount(t.setAside)}` : ''}`
  );
}

function describe(r: FileImportResult): string {
  const lines = [`${r.file} (${r.source}${r.instance ? '/' + r.instance : ''}): ${counts(r)}`];
  for (const [reason, n] of Object.entries(r.reasons).sort((a, b) => b[1] - a[1])) lines.push(`  隔離理由 ${reason}: ${n}件`);
  for (const [label, n] of Object.entries(r.apartKinds).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
    lines.push(`  別保管 ${label}: ${n}件`);
  }
  for (const b of r.setAsideBatches) lines.push(`  保留 バッチ ${b.batchId} (${b.lines}行): ${b.reason}`);
  return lines.join('\n');
}

/** Bad input found before anything is imported: one line, exit 2. */
export function userErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof FileImportError || err instanceof UnknownSourceError || err instanceof SourceConfigError)
      throw new UserError(err.message);
    throw err;
  }
}
