import { Command } from 'commander';
import { DateInputError } from '@kansa/calendar';
import { actionTitle, formatCount, sourceTitle } from '@kansa/domain';
import { ACCESS_CLASSES, AccessClass, EXPLANATION_KINDS, ExplanationKind, FLAG_KINDS, FlagKind } from '@kansa/rules';
import {
  ClassCounts,
  ExplanationsInputError,
  ExplanationsService,
  FindingExplanations,
  MonthExplanations,
} from '@kansa/analyzer/explanations/explanations.service';
import type { ExplainedAccess } from '@kansa/analyzer/explanations/explanations.repository';
import { FindingNotFoundError } from '@kansa/analyzer/findings/findings.errors';
import { CommandContext } from '../context';
import { asUserError, UserError } from '../errors';

interface Options {
  finding?: string;
  user?: string;
  subject?: string;
  from?: string;
  to?: string;
  month?: string;
  class?: string;
  limit?: number;
}

/**
 * `kansa explanations --finding <id> | --user <ID> | --subject <number> --from D --to D | --month YYYY-MM`:
 * why accesses are considered fine (docs/explanations.md).
 */
export function registerExplanationsCommand(program: Command, ctx: () => CommandContext): void {
  program
    .command('explanations')
    .description(
      'アクセスの説明（業務記録・担当割当・中間サーバー照会・バッチ処理）と要注意の対象: 検知結果の根拠、職員・住民ごと、月の説明率',
    )
    .option('--finding <id>', '検知結果の根拠となった操作ごとの説明と説明率')
    .option('--user <id>', '職員IDのアクセス（--from/--to と）')
    .option('--subject <number>', '宛名番号（10桁）または統合宛名番号（15桁）へのアクセス（--from/--to と）')
    .option('--from <YYYY-MM-DD>', 'この日以降')
    .option('--to <YYYY-MM-DD>', 'この日以前')
    .option('--class <list>', `絞り込み: ${Object.keys(ACCESS_CLASSES).join(',')}`)
    .option('--month <YYYY-MM>', '月の説明率（所属・システム別）と、要注意の対象への説明のない照会（職員別）')
    .option('--limit <n>', '最大件数 (default 10000)', (v) => Number(v))
    .action(async (opts: Options) => {
      const c = ctx();
      const modes = [opts.finding, opts.user || opts.subject, opts.month].filter(Boolean).length;
      if (modes !== 1) {
        throw new UserError(
          'give one of --finding <id>, --user <ID> / --subject <number> with --from/--to, or --month <YYYY-MM> (どれか一つを指定してください)',
        );
      }
      if (opts.limit !== undefined && !(Number.isInteger(opts.limit) && opts.limit > 0)) {
        throw new UserError('--limit: expected a positive integer (件数が不正です)');
      }
      const classes = opts.class?.split(',').map((s) => s.trim()) as AccessClass[] | undefined;
      const unknown = classes?.filter((k) => !(k in ACCESS_CLASSES)) ?? [];
      if (unknown.length)
        throw new UserError(`--class: unknown ${unknown.join(', ')}; one of ${Object.keys(ACCESS_CLASSES).join(', ')} (分類が不正です)`);
      await c.withApp(async (app) => {
        const service = app.get(ExplanationsService);
        await asUserError(
          async () => {
            if (opts.finding) {
              const r = await service.forFinding(opts.finding);
              c.print(formatFinding(r), r);
            } else if (opts.month) {
              const r = await service.month(opts.month);
              c.print(formatMonth(r), r);
            } else {
              if (!opts.from || !opts.to)
                throw new UserError('--from and --to are required with --user / --subject (期間を指定してください)');
              const r = await service.accesses({
                userId: opts.user,
                subject: opts.subject,
                fromDay: opts.from,
                toDay: opts.to,
                classes,
                limit: opts.limit,
              });
              c.print(formatAccesses(r.total, r.counts, r.accesses), r);
            }
          },
          FindingNotFoundError,
          ExplanationsInputError,
          DateInputError,
        );
      });
    });
}

const pct = (share: number | null) => (share === null ? '-' : `${(share * 100).toFixed(1)}%`);
const n = formatCount;

/** An access of a finding's evidence: when, in which system, what was done (as staff name them), and why it is or is not fine. */
export function evidenceLine(e: FindingExplanations['events'][number]): string {
  return `${e.ts}  ${sourceTitle(e.source)}  ${actionTitle(e.action)}  ${why(e)}`;
}

function why(a: {
  class: AccessClass | '';
  explanations: readonly string[];
  flags: readonly string[];
  recordRef: string;
  recordKind: string;
  recordDay: string | null;
  assignmentKind: string;
}): string {
  if (a.class === '') return '（分類の対象外、または未分類の日）';
  const parts = (a.explanations as ExplanationKind[]).map((k) => {
    if (k === 'record') return `${EXPLANATION_KINDS.record} ${a.recordKind} ${a.recordRef}（${a.recordDay}）`;
    if (k === 'assignment') return `${EXPLANATION_KINDS.assignment}（${a.assignmentKind}）`;
    return EXPLANATION_KINDS[k] ?? k;
  });
  const flags = (a.flags as FlagKind[]).map((f) => FLAG_KINDS[f] ?? f);
  return [ACCESS_CLASSES[a.class], parts.join('、'), flags.length ? `要注意: ${flags.join('、')}` : ''].filter(Boolean).join('  ');
}

function formatCounts(c: ClassCounts): string {
  const kinds = Object.entries(c.byExplanation).map(([k, v]) => `${EXPLANATION_KINDS[k as ExplanationKind]} ${n(v)}`);
  const flags = Object.entries(c.byFlag).map(([k, v]) => `${FLAG_KINDS[k as FlagKind]} ${n(v)}`);
  return [
    `説明率 ${pct(c.explainedShare)}（説明あり ${n(c.explained)}・要注意 ${n(c.flagged)}・説明なし ${n(c.unexplained)}${c.notClassified ? `・対象外 ${n(c.notClassified)}` : ''}）`,
    kinds.length ? `  説明: ${kinds.join('、')}` : '',
    flags.length ? `  要注意の対象: ${flags.join('、')}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

function formatFinding(r: FindingExplanations): string {
  return [
    `検知結果 ${r.findingId}（${r.rule} ${r.day} ${r.userId}）の根拠 ${n(r.evidenceRead)} 件${r.evidenceTotal > r.evidenceRead ? `（全 ${n(r.evidenceTotal)} 件のうち）` : ''}`,
    r.dayClassified
      ? formatCounts(r.counts)
      : 'この日のアクセスはまだ分類されていません（kansa analyze --rule unexplained-access で分類されます）',
    ...r.events.map(evidenceLine),
  ].join('\n');
}

function formatAccesses(total: number, counts: ClassCounts, rows: ExplainedAccess[]): string {
  return [
    `アクセス ${n(total)} 件（住民・日・システムごと）`,
    formatCounts(counts),
    ...rows.map((a) => `${a.firstAt}  ${sourceTitle(a.source)}  ${a.userId}  ${a.subjectId}  ${a.accesses}回  ${why(a)}`),
    ...(total > rows.length ? [`… ほか ${n(total - rows.length)} 件（--limit で増やせます）`] : []),
  ].join('\n');
}

function formatMonth(r: MonthExplanations): string {
  const lines = [
    `${r.month} のアクセスの説明率 ${pct(r.total.explainedShare)}（${n(r.total.accesses)} 件、分類済み ${r.classifiedDays} 日）`,
    '',
    '所属     システム            件数      説明あり  要注意  説明なし  説明率',
    ...r.byDepartmentAndSystem.map(
      (x) =>
        `${x.department.padEnd(8)} ${sourceTitle(x.source).padEnd(14, '　')} ${String(x.accesses).padStart(8)} ${String(x.explained).padStart(9)} ${String(x.flagged).padStart(7)} ${String(x.unexplained).padStart(9)}  ${pct(x.explainedShare)}`,
    ),
    '',
    '要注意の対象への説明のない照会（職員別）:',
    ...(r.flaggedByStaff.length
      ? r.flaggedByStaff.map(
          (f) =>
            `  ${f.userId}（${f.department}）  ${n(f.accesses)} 件・住民 ${n(f.residents)} 人・${f.days} 日  ${f.flags.map((k) => FLAG_KINDS[k] ?? k).join('、')}`,
        )
      : ['  なし']),
    '',
    '1人1日あたりの説明のない住民の人数（unexplained-access の基準を決める目安）:',
    `  ${r.unexplainedPerUserDay.map((d) => `${d.residents}人: ${n(d.userDays)}`).join('  ')}`,
  ];
  return lines.join('\n');
}
