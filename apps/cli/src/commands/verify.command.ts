import { Command } from 'commander';
import { checkDayRange } from '@kansa/calendar';
import { sourceLabel } from '@kansa/domain';
import { VerifyService } from '@kansa/integrity';
import { CommandContext } from '../context';

/** `kansa verify [--from D] [--to D]`: exit 1 and the first broken batch when the chain does not hold. */
export function registerVerifyCommand(program: Command, ctx: () => CommandContext): void {
  program
    .command('verify')
    .description('保存ログの改ざん検知チェーンを検証する (verify the integrity chain)')
    .option('--from <day>', 'first import day to recheck (YYYY-MM-DD, JST)')
    .option('--to <day>', 'last import day to recheck (YYYY-MM-DD, JST)')
    .action(async (options: { from?: string; to?: string }) => {
      checkDayRange('--from', options.from, '--to', options.to);
      const c = ctx();
      const report = await c.withApp((app) => app.get(VerifyService).verify(options), { collector: true });
      const lines = chainHeads(report.sources);
      if (report.expired > 0)
        lines.push(`  保存期間を過ぎた行を含む ${report.expired}バッチは、記録とチェーンのみ検証 (内容は保存期間により削除済み)`);
      if (report.ok) {
        c.print([`整合性検証: 正常 (${report.batchesChecked}バッチの内容を再計算)`, ...lines].join('\n'), report);
        return;
      }
      const detail = [
        '整合性検証: 異常あり',
        ...report.broken.map((b) => `  ${chainName(b)} 連番${b.seq} バッチ ${b.batchId} (${b.origin}、取込 ${b.importedAt}): ${b.problem}`),
        ...report.unrecorded.map((u) => `  取込記録のない行: ${u.table} ${u.rows}行 (バッチ ${u.batchId})`),
      ];
      c.print(detail.join('\n'), report);
      const first = report.broken[0];
      c.err.write(
        first
          ? `kansa: integrity chain broken at ${first.source}${first.writer ? ` (writer ${first.writer})` : ''} seq ${first.seq} batch ${first.batchId} (${first.origin}, ${first.importedAt}): ${first.problem}\n`
          : `kansa: rows without an import record (batch ${report.unrecorded[0].batchId}) / 取込記録のない行があります\n`,
      );
      process.exitCode = 1;
    });
}

/**
 * A chain as staff read it: the system (sourceLabel) and — a chain per writer in server mode — the writer (the
 * embedded engine's one writer is not named): 住民記録システム (jumin)、書込 host:1.
 */
export function chainName(c: { source: string; writer: string }): string {
  return c.writer ? `${sourceLabel(c.source)}、書込 ${c.writer}` : sourceLabel(c.source);
}

/** Each chain's batches and head, a line each. */
export function chainHeads(chains: ReadonlyArray<{ source: string; writer: string; batches: number; head: string }>): string[] {
  return chains.map((s) => `  ${chainName(s)}: ${s.batches}バッチ、チェーン先頭 ${s.head}`);
}
