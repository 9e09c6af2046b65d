import { monthsEnding } from '@kansa/calendar';
import { SEVERITIES, SEVERITY_TITLES, formatCount as fmt } from '@kansa/domain';
import { eraMonth } from './era-date';
import { progressText } from './report-status';
import { PARTS, SECTIONS } from './report-sections';
import type { FindingRow, MonthlyReport, ReportSummary, Trend } from './report.model';

/** Severity titles from the most severe: 重大, 高, 中, 低. */
export const SEVERITY_ORDER = [...SEVERITIES].reverse().map((s) => SEVERITY_TITLES[s]);

/** 0 = 重大 … 3 = 低; unknown last. */
export function severityRank(title: string): number {
  const i = SEVERITY_ORDER.indexOf(title);
  return i < 0 ? SEVERITY_ORDER.length : i;
}

/** The 12 months ending with `month`, oldest first. */
export function trendMonths(month: string, n = 12): string[] {
  return monthsEnding(month, n);
}

export interface TrendInput {
  month: string;
  /** Findings per month, rule and severity (severity as stored: low … critical). */
  counts: ReadonlyArray<{ month: string; rule: string; severity: string; n: number }>;
  /** Months with any day analysed. */
  analysedMonths: ReadonlySet<string>;
  /** Rules in report order, with their titles and severity titles. */
  rules: ReadonlyArray<{ id: string; title: string; severity: string }>;
}

/** Findings per rule and severity over the 12 months ending with the report's month; months never analysed are null. */
export function buildTrend(input: TrendInput): Trend {
  const months = trendMonths(input.month);
  const analysed = months.map((m) => input.analysedMonths.has(m));
  const cell = (m: string, i: number, f: (c: TrendInput['counts'][number]) => boolean) =>
    analysed[i] ? input.counts.filter((c) => c.month === m && f(c)).reduce((a, c) => a + c.n, 0) : null;
  const known = new Set(input.rules.map((r) => r.id));
  const extra = [...new Set(input.counts.map((c) => c.rule))].filter((r) => !known.has(r)).sort();
  const rules = [...input.rules, ...extra.map((id) => ({ id, title: id, severity: '' }))].map((r) => ({
    rule: r.id,
    title: r.title,
    severity: r.severity,
    counts: months.map((m, i) => cell(m, i, (c) => c.rule === r.id)),
  }));
  const severities = [...SEVERITIES].reverse().map((s) => ({
    severity: SEVERITY_TITLES[s],
    counts: months.map((m, i) => cell(m, i, (c) => c.severity === s)),
  }));
  return { months, analysed, rules, severities, totals: months.map((m, i) => cell(m, i, () => true)) };
}

type SummaryInput = Pick<
  MonthlyReport,
  | 'month'
  | 'period'
  | 'scope'
  | 'intake'
  | 'rules'
  | 'findings'
  | 'review'
  | 'status'
  | 'carriedOver'
  | 'accountReview'
  | 'completeness'
  | 'casework'
>;

/** The findings of severity 重大 and 高, most severe first, then by day and time. */
export function seriousFindings(findings: readonly FindingRow[]): FindingRow[] {
  return findings
    .filter((f) => f.severityRank <= 1)
    .sort((a, b) => a.severityRank - b.severityRank || a.day.localeCompare(b.day) || a.time.localeCompare(b.time));
}

/** Section 1 (総括・所見): what was analysed, what was found and decided, what remains, and how the month compares. */
export function summarise(r: SummaryInput, trend: Trend): ReportSummary {
  const serious = seriousFindings(r.findings);
  return {
    paragraphs: [
      { heading: '分析した範囲', lines: analysed(r) },
      { heading: '検知の概要', lines: found(r, serious) },
      { heading: '確認の状況', lines: decided(r) },
      { heading: '残っている事項', lines: remaining(r) },
      { heading: '前月との比較と推移', lines: compared(trend) },
    ],
    serious,
    trend,
  };
}

function analysed(r: SummaryInput): string[] {
  const days = r.scope.days.length;
  const business = r.scope.days.filter((d) => d.businessDay).length;
  const systems = r.scope.sources.map((s) => s.title);
  const lines = [
    `${r.period.from} から ${r.period.to} までの ${days} 日間（開庁日 ${business} 日）に、${systems.join('・') || 'システム'}の ${systems.length} システムのログ ${fmt(r.scope.total)} 件を、${r.rules.length} のルールで分析しました。`,
  ];
  const read = r.intake.systems.reduce((a, s) => a + s.read, 0);
  const duplicates = r.intake.systems.reduce((a, s) => a + s.duplicates, 0);
  const rejected = r.intake.systems.reduce((a, s) => a + s.rejected, 0);
  if (duplicates || rejected) {
    const parts = [
      duplicates ? `${fmt(duplicates)} 行は同じ行の再送（重複）のため1回だけ保存し` : '',
      rejected ? `${fmt(rejected)} 行は形式の誤りのため取り込まずに理由とともに保管しました（${PARTS.rejected}）` : '',
    ].filter(Boolean);
    lines.push(`取り込んだ ${fmt(read)} 行のうち、${parts.join('、')}${rejected ? '' : '（' + PARTS.intake + '）'}。`);
  }
  if (r.intake.setAside.length)
    lines.push(`取込を保留しているバッチが ${r.intake.setAside.length} 件あり、その行は分析に含まれていません（${PARTS.setAside}）。`);
  if (r.scope.missing.length) {
    const bySystem = new Map<string, number>();
    for (const m of r.scope.missing) bySystem.set(m.sourceTitle, (bySystem.get(m.sourceTitle) ?? 0) + 1);
    lines.push(
      `開庁日なのにログが1件もない日があります：${[...bySystem].map(([s, n]) => `${s} ${n} 日`).join('、')}（${PARTS.missing}）。その日の分析結果は不完全です。`,
    );
  }
  for (const n of r.scope.calendarNotes)
    lines.push(`${n.day}（${n.weekday}）は${n.kind}日です${n.note ? `（${n.note}）` : ''}。${n.effect}。`);
  for (const rule of r.rules.filter((x) => x.judgement !== 'judged')) lines.push(`「${rule.title}」は${rule.state}。`);
  return lines;
}

function found(r: SummaryInput, serious: readonly FindingRow[]): string[] {
  if (r.findings.length === 0) return ['対象月の検知はありません。'];
  const bySeverity = SEVERITY_ORDER.map((s) => [s, r.findings.filter((f) => f.severity === s).length] as const).filter(([, n]) => n > 0);
  const lines = [`検知は ${fmt(r.findings.length)} 件です（${bySeverity.map(([s, n]) => `${s} ${fmt(n)} 件`).join('、')}）。`];
  if (serious.length === 0) lines.push('重要度「重大」「高」の検知はありません。');
  else {
    lines.push(`重要度「重大」「高」の ${fmt(serious.length)} 件を、重要度の高い順に ${PARTS.serious} に示します。`);
    const byRule = new Map<string, number>();
    for (const f of serious) byRule.set(`${f.severity}｜${f.ruleTitle}`, (byRule.get(`${f.severity}｜${f.ruleTitle}`) ?? 0) + 1);
    lines.push(`内訳：${[...byRule].map(([k, n]) => `${k.replace('｜', '・')} ${n} 件`).join('、')}。`);
  }
  return lines;
}

function decided(r: SummaryInput): string[] {
  const p = r.review;
  const done = p.found - p.undecided;
  const lines = [`確認の状況：${progressText(p)}（検知 ${fmt(p.found)} 件のうち確認済み ${fmt(done)} 件）。`];
  // What was required and done, by rule and action: one line per kind of case, not per finding.
  const groups = new Map<string, FindingRow[]>();
  for (const f of r.findings.filter((x) => x.outcome === 'action_required')) {
    const key = `${f.ruleTitle}\u0000${f.comment}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const shown = [...groups.values()].slice(0, 10);
  for (const g of shown) {
    const f = g[0];
    const who = [f.userId, f.name].filter(Boolean).join(' ') || '―';
    const done = g.filter((x) => x.status === 'closed').length;
    lines.push(
      `要対応：${f.ruleTitle} ${g.length} 件（${f.day} ${who}${g.length > 1 ? ' ほか' : ''}）— ${f.comment || '対応内容の記録なし'}${done ? `（対応完了 ${done} 件）` : ''}`,
    );
  }
  if (groups.size > shown.length) lines.push(`ほかの要対応は ${SECTIONS.findings} のとおりです。`);
  return lines;
}

function remaining(r: SummaryInput): string[] {
  const lines: string[] = [];
  const p = r.review;
  lines.push(
    p.undecided
      ? `未確認 ${fmt(p.new)} 件・確認中 ${fmt(p.reviewing)} 件の確認が残っています（${SECTIONS.findings}）。`
      : '未確認・確認中の検知はありません。',
  );
  const pending = p.actionRequired - p.actionDone;
  if (pending) lines.push(`要対応のうち ${fmt(pending)} 件は対応の完了が記録されていません。`);
  if (r.carriedOver.length) lines.push(`前月以前からの継続案件が ${fmt(r.carriedOver.length)} 件あります（${SECTIONS.carried}）。`);
  const urgent = r.accountReview.absentees.filter((a) => a.urgency === 1).length;
  const check = r.accountReview.absentees.filter((a) => a.urgency === 2).length;
  const stop = r.accountReview.absentees.filter((a) => a.urgency === 3).length;
  if (urgent) lines.push(`退職後に使用されたIDが有効のままです：${urgent} 件（${PARTS.absentees}、至急対応）。`);
  if (check) lines.push(`退職後・休業中に使用されたIDがあります：${check} 件（${PARTS.absentees}、要確認）。`);
  if (stop) lines.push(`長期休業中・退職済みの職員のIDが有効のままです：${stop} 件（${PARTS.absentees}、IDの停止）。`);
  if (r.accountReview.unused.length)
    lines.push(`長期間使われていない有効なIDが ${r.accountReview.unused.length} 件あります（${PARTS.unused}）。`);
  const expiring = r.casework.exceptions.filter((x) => x.expiring).length;
  const casework = [
    r.casework.cases.length ? `終結していない事案が ${fmt(r.casework.cases.length)} 件` : '',
    expiring ? `期限が近い例外承認が ${fmt(expiring)} 件` : '',
  ].filter(Boolean);
  if (casework.length) lines.push(`${casework.join('、')}あります（${SECTIONS.casework}）。`);
  lines.push(r.status.text);
  return lines;
}

function compared(t: Trend): string[] {
  const last = t.months.length - 1;
  const now = t.totals[last];
  const before = t.totals[last - 1];
  const prevName = eraMonth(t.months[last - 1]);
  const lines: string[] = [];
  if (now === null) lines.push('対象月は分析されていません。');
  else if (before === null) lines.push(`前月（${prevName}）は分析されていないため、比較できません。`);
  else {
    const d = now - before;
    lines.push(
      `検知件数は前月（${prevName}）の ${fmt(before)} 件から ${fmt(now)} 件に${d > 0 ? `増えました（+${fmt(d)} 件）` : d < 0 ? `減りました（${fmt(d)} 件）` : '変わりませんでした'}。`,
    );
    const changes = t.rules
      .map((r) => ({ title: r.title, d: (r.counts[last] ?? 0) - (r.counts[last - 1] ?? 0) }))
      .filter((x) => x.d !== 0)
      .sort((a, b) => b.d - a.d);
    const up = changes.filter((x) => x.d > 0).slice(0, 3);
    const down = changes.filter((x) => x.d < 0).slice(-3);
    if (up.length) lines.push(`増えたルール：${up.map((x) => `${x.title} +${x.d}`).join('、')}。`);
    if (down.length) lines.push(`減ったルール：${down.map((x) => `${x.title} ${x.d}`).join('、')}。`);
  }
  const analysed = t.analysed.filter(Boolean).length;
  lines.push(
    `過去12か月の推移（ルール別・重要度別）は ${PARTS.trend} のとおりです${analysed < 12 ? `（分析した月は ${analysed} か月。「－」は分析していない月）` : ''}。`,
  );
  return lines;
}
