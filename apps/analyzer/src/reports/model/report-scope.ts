import { addDays, buildCalendarDays, CalendarOverride, eachDay } from '@kansa/calendar';
import { sourceOrder, sourceTitle } from '@kansa/domain';
import { weekdayJa } from './era-date';
import type { Completeness, Scope } from './report.model';

export interface ScopeInput {
  window: { from: string; to: string };
  /** JST day the report is made: days after it are not expected to have logs yet. */
  today: string;
  /** Systems that have ever sent events: each is expected on every business day. */
  knownSources: readonly string[];
  daily: ReadonlyArray<{ d: string; source: string; n: string | number }>;
  overrides: readonly CalendarOverride[];
}

/** What a calendar.csv override changed in the analysis of its day. */
const OVERRIDE_EFFECT: Record<CalendarOverride['kind'], string> = {
  開庁: '開庁日として分析しました（勤務時間外の利用とログの欠損を判定）',
  閉庁: '閉庁日として分析しました（終日を勤務時間外とし、ログがなくても欠損としない）',
};

/** The calendar's word for a day: 開庁日, or its label (土曜, 祝日: 昭和の日, 開庁日（休日開庁）: …). */
export function dayLabel(day: { businessDay: boolean; label: string }): string {
  if (!day.label || day.label === '平日') return day.businessDay ? '開庁日' : '閉庁日';
  return day.label;
}

/** Section 2: log counts per system and day, the business days a system sent nothing, and the calendar's notes. */
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
      if (n === 0 && c.businessDay && c.date < today)
        missing.push({ source: s, sourceTitle: sourceTitle(s), day: c.date, label: dayLabel(c) });
    }
    return { day: c.date, weekday: weekdayJa(c.date), businessDay: c.businessDay, label: dayLabel(c), counts: row, total };
  });
  const calendarNotes = input.overrides
    .filter((o) => o.date >= w.from && o.date <= w.to)
    .sort((a, b) => a.date.localeCompare(b.date))
    .map((o) => ({ day: o.date, weekday: weekdayJa(o.date), kind: o.kind, note: o.note?.trim() ?? '', effect: OVERRIDE_EFFECT[o.kind] }));
  return {
    sources: ids.map((id) => ({ id, title: sourceTitle(id) })),
    days,
    totals,
    total: Object.values(totals).reduce((a, b) => a + b, 0),
    missing,
    calendarNotes,
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
  /** Further notes (batches set aside and not stored). */
  extra: readonly string[] = [],
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
  notes.push(...extra);
  return {
    complete: notes.length === 0,
    notes,
    missingDays: new Set(scope.missing.map((m) => m.day)).size,
    unanalysedDays: unanalysed.length,
  };
}
