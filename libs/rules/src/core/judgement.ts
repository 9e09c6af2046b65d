import { addDays } from '@kansa/calendar';
import { ALL_EVENTS, type RuleHistoryNeed, type RuleReads } from './define-rule';
import { sourceTitle } from '@kansa/domain';

/**
 * Whether a rule could judge a window, given how far back the stored logs
 * reach: `judged`; `partial` (some days or systems, or — mass-output without
 * its baseline — only part of the rule); `withheld` (判定保留: nothing). The
 * report's rule table, results, account review and the console take this one
 * verdict, so a rule is never "analysed 30 days, 0 found" in one place and
 * 判定保留 in another.
 */
export type JudgementState = 'judged' | 'partial' | 'withheld';

export interface Judgement {
  state: JudgementState;
  /** Japanese: what was not judged and why, and from when it can be; '' when judged. */
  reason: string;
  /** The first day the rule judges in full (history reached), or null when judged throughout. */
  readyFrom: string | null;
}

export const JUDGED: Judgement = { state: 'judged', reason: '', readyFrom: null };

/**
 * The verdict for a window. `firstDays`: the first day with stored events of
 * each source (all sources that ever logged).
 */
export function judgement<P>(
  rule: { history?: RuleHistoryNeed<P>; reads: Pick<RuleReads<P>, 'events'> },
  params: P,
  window: { fromDay: string; toDay: string },
  firstDays: Readonly<Record<string, string>>,
): Judgement {
  const need = rule.history;
  if (!need) return JUDGED;
  const days = need.days(params);
  const sources = Object.keys(firstDays).filter((s) => rule.reads.events === ALL_EVENTS || rule.reads.events.includes(s));
  const without = need.without === 'withheld' ? null : need.without.partial(params);
  if (sources.length === 0) {
    return {
      state: without ? 'partial' : 'withheld',
      reason: without ? `ログがないため、${without}` : 'ログがないため判定できません',
      readyFrom: null,
    };
  }
  const earliest = sources.map((s) => firstDays[s]).sort()[0];
  // The day from which each source (or, when one history serves all, the logs as a whole) reach back far enough.
  const ready = new Map(sources.map((s) => [s, addDays(need.perSource ? firstDays[s] : earliest, days)]));
  const readyFrom = [...ready.values()].sort().pop()!;
  if (readyFrom <= window.fromDay) return JUDGED;
  const short = (first: string) => `ログの記録が${first}からで、判定に必要な${days}日分に満たない`;
  const notYet = [...ready].filter(([, d]) => d > window.toDay).map(([s]) => s);
  if (notYet.length === sources.length) {
    const first = need.perSource ? notYet.map((s) => firstDays[s]).sort()[0] : earliest;
    const canFrom = [...ready.values()].sort()[0];
    return without
      ? { state: 'partial', reason: `${short(first)}ため、${without}（${canFrom}以降は全体を判定）`, readyFrom }
      : { state: 'withheld', reason: `判定保留：${short(first)}ため（${canFrom}以降に判定できます）`, readyFrom };
  }
  if (need.perSource && notYet.length > 0) {
    const canFrom = notYet.map((s) => ready.get(s)!).sort()[0];
    return {
      state: 'partial',
      reason: `${notYet.map(sourceTitle).join('・')}は${short(notYet.map((s) => firstDays[s]).sort()[0])}ため${without ? `、${without}` : '判定していません'}（${canFrom}以降に判定できます）`,
      readyFrom,
    };
  }
  // Every source reaches back far enough only from a day inside the window.
  return {
    state: 'partial',
    reason: `${readyFrom}より前の日は${short(
      need.perSource
        ? sources
            .map((s) => firstDays[s])
            .sort()
            .pop()!
        : earliest,
    )}ため${without ? `、${without}` : '判定していません'}`,
    readyFrom,
  };
}
