import type { FindingRow, ReportStatus, ReviewProgress } from './report.model';
import { formatCount as fmt } from '@kansa/domain';

/** Review progress of findings by their current state; a closed finding counts under the decision it closed. */
export function reviewProgress(findings: readonly Pick<FindingRow, 'status' | 'outcome'>[]): ReviewProgress {
  const n = (f: (x: Pick<FindingRow, 'status' | 'outcome'>) => boolean) => findings.filter(f).length;
  const p = {
    found: findings.length,
    new: n((f) => f.outcome === 'new'),
    reviewing: n((f) => f.outcome === 'reviewing'),
    noIssue: n((f) => f.outcome === 'no_issue'),
    actionRequired: n((f) => f.outcome === 'action_required'),
    actionDone: n((f) => f.outcome === 'action_required' && f.status === 'closed'),
    falsePositive: n((f) => f.outcome === 'false_positive'),
    excepted: n((f) => f.outcome === 'excepted'),
  };
  return { ...p, undecided: p.new + p.reviewing };
}

/** 未確認 3 / 確認中 1 / 問題なし 10 / 要対応 2 / 誤検知 1 (/ 例外適用 n when an approved exception covers some) — the one wording of the progress, everywhere. */
export function progressText(p: ReviewProgress): string {
  return [
    `未確認 ${fmt(p.new)}`,
    `確認中 ${fmt(p.reviewing)}`,
    `問題なし ${fmt(p.noIssue)}`,
    `要対応 ${fmt(p.actionRequired)}${p.actionDone ? `（うち対応完了 ${fmt(p.actionDone)}）` : ''}`,
    `誤検知 ${fmt(p.falsePositive)}`,
    ...(p.excepted ? [`例外適用 ${fmt(p.excepted)}`] : []),
  ].join(' / ');
}

export interface FinalisationRecord {
  by: string;
  at: string; // JST 'YYYY-MM-DD HH:MM'
  reason: string;
  /** Findings undecided when it was finalised. */
  undecided: readonly string[];
}

/** Whether the month's data can be final: the month is over and every day of it analysed by every rule. */
export interface MonthState {
  over: boolean;
  unanalysedDays: number;
}

/**
 * 速報 while the month is not over, days are not analysed yet, or any finding
 * of the month is undecided (未確認・確認中); 確定 when none of these holds, or
 * when an officer finalised the month with a stated reason — unless a finding
 * undecided now was not among those the officer saw (it arrived later): then
 * it is 速報 again, and says why.
 */
export function reportStatus(
  progress: ReviewProgress,
  undecidedIds: readonly string[],
  finalisation: FinalisationRecord | null,
  month: MonthState = { over: true, unanalysedDays: 0 },
): ReportStatus {
  const officer = finalisation
    ? { by: finalisation.by, at: finalisation.at, reason: finalisation.reason, undecided: finalisation.undecided.length }
    : null;
  const open: string[] = [];
  if (!month.over) open.push('対象月が終わっていません');
  if (month.unanalysedDays > 0) open.push(`分析が完了していない日が ${fmt(month.unanalysedDays)} 日あります`);
  if (progress.undecided > 0) open.push(`未確認・確認中の検知が ${fmt(progress.undecided)} 件あります`);
  if (open.length === 0) {
    const text =
      progress.found === 0 ? '確定：対象月の検知はありません。' : `確定：対象月の検知 ${fmt(progress.found)} 件はすべて確認済みです。`;
    return { final: true, label: '確定', text, finalisation: officer && finalisation!.undecided.length > 0 ? officer : null };
  }
  const seen = new Set(finalisation?.undecided ?? []);
  const later = undecidedIds.filter((id) => !seen.has(id)).length;
  if (finalisation && later === 0 && month.over) {
    return {
      final: true,
      label: '確定',
      text: `確定：${finalisation.at} に ${finalisation.by} が確定しました（理由：${finalisation.reason}）。${
        progress.undecided ? `未確認・確認中の ${fmt(progress.undecided)} 件を残しています。` : ''
      }${month.unanalysedDays ? `分析が完了していない日が ${fmt(month.unanalysedDays)} 日あります。` : ''}`,
      finalisation: officer,
    };
  }
  const after =
    finalisation && later > 0
      ? `${finalisation.at} に ${finalisation.by} が確定しましたが、その後に未確認の検知が ${fmt(later)} 件加わったため速報に戻りました。`
      : '';
  return {
    final: false,
    label: '速報',
    text: `速報：${open.join('。')}。すべての分析と確認を終えるか、責任者が理由を付して確定するまで速報です。${after}`,
    finalisation: officer,
  };
}
