import { Command } from 'commander';
import { addDays, checkDayRange } from '@kansa/calendar';
import { CLOCK, Clock, jstDay } from '@kansa/analyzer/core/clock';
import { CoverageCell, CoverageService } from '@kansa/analyzer/ledger/coverage.service';
import { CommandContext } from '../context';

const STATE_TITLES: Record<CoverageCell['state'], string> = {
  analysed: '分析済',
  never: '未分析',
  'rule-changed': 'ルール更新後未分析',
  'data-changed': 'ログ追加後未分析',
  'lookback-changed': '参照期間のログ追加後未分析',
  'masters-changed': 'マスタ更新後未分析',
};

/** `kansa coverage [--from D] [--to D]`: what has been analysed (rule × day) and what is due. */
export function registerCoverageCommand(program: Command, ctx: () => CommandContext): void {
  program
    .command('coverage')
    .description('日ごとの分析状況（分析済・未分析・ログやマスタの更新後未分析）を表示する')
    .option('--from <YYYY-MM-DD>', '開始日（既定: 30日前）')
    .option('--to <YYYY-MM-DD>', '終了日（既定: 昨日）')
    .action(async (opts: { from?: string; to?: string }) => {
      const c = ctx();
      checkDayRange('--from', opts.from, '--to', opts.to);
      await c.withApp(async (app) => {
        const today = jstDay(app.get<Clock>(CLOCK).now());
        const to = opts.to ?? addDays(today, -1);
        const from = opts.from ?? addDays(to, -29);
        checkDayRange('--from', from, '--to', to);
        const cells = await app.get(CoverageService).assess(from, to);
        c.print(formatCoverage(cells), cells);
      });
    });
}

function formatCoverage(cells: CoverageCell[]): string {
  const byDay = new Map<string, CoverageCell[]>();
  for (const cell of cells) byDay.set(cell.day, [...(byDay.get(cell.day) ?? []), cell]);
  const lines = ['日付        分析済/ルール数  イベント件数  未了のルール'];
  for (const [day, row] of byDay) {
    const done = row.filter((x) => x.state === 'analysed').length;
    const events = Math.max(0, ...row.map((x) => x.eventsNow));
    const pending = row.filter((x) => x.state !== 'analysed');
    const states = new Set(pending.map((x) => x.state));
    const open =
      pending.length === row.length && states.size === 1
        ? `全ルール(${STATE_TITLES[pending[0].state]})`
        : pending.map((x) => `${x.rule}(${STATE_TITLES[x.state]})`).join(', ');
    lines.push(`${day}  ${String(done).padStart(3)}/${row.length}  ${String(events).padStart(10)}  ${open}`);
  }
  return lines.join('\n');
}
