import { addDays, buildCalendarDays, CalendarOverride, eachDay } from '@kansa/calendar';
import { SOURCE_TITLES } from '@kansa/domain';
import { weekdayJa } from './era-date';
import type { Completeness, Scope } from './report.model';

const BUILTIN_ORDER = ['jumin', 'atena', 'chukan', 'terminal'];

/** Built-in systems in their usual order, then the others by name. */
export function sourceOrder(a: string, b: string): number {
  const rank = (s: string) => (BUILTIN_ORDER.includes(s) ? BUILTIN_ORDER.indexOf(s) : BUILTIN_ORDER.length);
  return rank(a) - rank(b) || a.localeCompare(b);
}

export function sourceTitle(source: string): string {
  return (SOURCE_TITLES as Record<string, string>)[source] ?? source;
}

export interface ScopeInput {
  window: { from: string; to: string };
  /** JST day the report is made: days after it are not expected to have logs yet. */
  today: string;
  /** Systems that have ever sent events: each is expected on every business day. */
  knownSources: readonly string[];
  daily: ReadonlyArray<{ d: string; source: string; n: string | number }>;
  overrides: readonly CalendarOverride[];
}

/** Section 2: log counts per system and day, and the business days a system sent nothing. */
export function buildScope(input: ScopeInput): Omit<Scope, 'firstEventDay'> {
  const { window: w, today } = input;
  const ids = [...new Set([...input.knownSources, ...input.daily.map((d) => d.source)])].sort(sourceOrder);
  const counts = new Map(input.daily.map((d) => [`${d.d}|${d.source}`, Number(d.n)]));
  const totals: Record<string, number> = Object.fromEntries(ids.map((s) => [s, 0]));
  const missing: Scope['missing'] = [];
  const days = buildCalendarDays(w.from, w.to, input.overrides).map((c) => {
    const row: Record<string, number> = {};
    let total = 0;
    for (const s of ids) {
      const n = counts.get(`${c.date}|${s}`) ?? 0;
      row[s] = n;
      totals[s] += n;
      total += n;
      if (n === 0 && c.businessDay && c.date < today) missing.push({ source: s, sourceTitle: sourceTitle(s), day: c.date, label: c.label });
    }
    return { day: c.date, weekday: weekdayJa(c.date), businessDay: c.businessDay, label: c.label, counts: row, total };
  });
  return {
    sources: ids.map((id) => ({ id, title: sourceTitle(id) })),
    days,
    totals,
    total: Object.values(totals).reduce((a, b) => a + b, 0),
    missing,
  };
}

/**
 * Days of the month up to yesterday on which some rule was not analysed: every
 * rule of the catalogue when there is one, else days no rule analysed at all.
 */
export function unanalysedDays(
  window: { from: string; to: string },
  today: string,
  ledger: ReadonlyArray<{ rule: string; days: readonly string[] }>,
  ruleIds: readonly string[] | null,
): string[] {
  const last = window.to < today ? window.to : addDays(today, -1);
  if (last < window.from) return [];
  const byRule = new Map(ledger.map((l) => [l.rule, new Set(l.days)]));
  const any = new Set(ledger.flatMap((l) => l.days));
  return eachDay(window.from, last).filter((d) => (ruleIds?.length ? ruleIds.some((r) => !byRule.get(r)?.has(d)) : !any.has(d)));
}

/** What the cover says about completeness: a month not over, missing logs, no logs, days not analysed. */
export function completeness(
  window: { from: string; to: string },
  today: string,
  madeAt: string,
  scope: Omit<Scope, 'firstEventDay'>,
  unanalysed: readonly string[],
): Completeness {
  const notes: string[] = [];
  if (window.to >= today) notes.push(`対象月は作成時点（${madeAt}）で終了していないため、途中までの集計です。`);
  if (scope.missing.length > 0) {
    const bySource = new Map<string, number>();
    for (const m of [...scope.missing].sort((a, b) => sourceOrder(a.source, b.source)))
      bySource.set(m.sourceTitle, (bySource.get(m.sourceTitle) ?? 0) + 1);
    notes.push(
      `ログが未収集の開庁日があります（${[...bySource].map(([s, n]) => `${s} ${n}日`).join('、')}）。該当日の分析結果は不完全です。`,
    );
  }
  if (scope.total === 0) notes.push('対象月のログが1件も取り込まれていません。');
  if (unanalysed.length > 0) {
    notes.push(
      `分析が完了していない日が${unanalysed.length}日あります（${unanalysed.slice(0, 5).join('、')}${unanalysed.length > 5 ? ' ほか' : ''}）。`,
    );
  }
  return {
    complete: notes.length === 0,
    notes,
    missingDays: new Set(scope.missing.map((m) => m.day)).size,
    unanalysedDays: unanalysed.length,
  };
}
