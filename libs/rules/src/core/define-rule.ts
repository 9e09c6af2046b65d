import { z } from 'zod';
import type { BusinessHours } from '@kansa/config';
import type { MasterName, MasterVersions, Severity } from '@kansa/domain';

export type { MasterName, MasterVersions } from '@kansa/domain';
export { MASTER_NAMES } from '@kansa/domain';

/** Every event source, whatever the source systems configured. */
export const ALL_EVENTS = 'all';

/**
 * What a rule's query reads. The analysis ledger records the state of exactly
 * this when a day is analysed, and the day is due again when any of it has
 * changed since (docs/analyzer.md "Ledger, due days, catch-up"). The
 * catalogue test checks each declaration against the rule's query text.
 */
export interface RuleReads<P> {
  /** Event sources: a list (the query filters `source` to it), ALL_EVENTS, or [] when it reads no events. */
  events: typeof ALL_EVENTS | readonly string[];
  /** Master data it reads. */
  masters: readonly MasterName[];
  /**
   * How many days before an analysed day the query reads events of
   * (mass-output's 90-day baseline); 0 when it reads only the day itself.
   * A function when a parameter sets it.
   */
  lookbackDays: number | ((params: P) => number);
  /**
   * How many days after an analysed day the query reads events of (a
   * business record made the day after an access still explains it); 0 or
   * absent when it reads none. A late event of those days makes the day due
   * again, like one of its look-back.
   */
  lookaheadDays?: number | ((params: P) => number);
  /**
   * Sources of `events` the query reads on the analysed days only, never on
   * the days of its look-back or look-ahead (unexplained-access: the
   * accesses it classifies; only the business records reach around them).
   * An event of such a source on another day does not make a day due.
   * Absent: every source is read over the whole reach.
   */
  dayOnly?: readonly string[];
}

/**
 * What a rule's query gets. The window is passed in — a rule never calls
 * now() — so re-running last month gives the same answer.
 */
export interface RuleContext<P> {
  /** Whole JST days, inclusive: 'YYYY-MM-DD'. */
  fromDay: string;
  toDay: string;
  /** The same window as instants, [from, to): 'YYYY-MM-DD HH:MM:SS.sss' in Asia/Tokyo. */
  from: string;
  to: string;
  params: P;
  masters: MasterVersions;
  /** calendar_days.calendar_version prepared for the window (and look-back days). */
  calendarVersion: number;
  hours: BusinessHours;
}

export interface RuleQuery {
  query: string;
  query_params: Record<string, unknown>;
  /**
   * A prepare statement that may have nothing to do: a SELECT of what it
   * would touch (or read). The analyzer asks for its first row only and
   * skips the statement when there is none (a DELETE costs the engine up to
   * a second even when nothing matches; the classification of a day without
   * accesses would still list 32 days of business records); run
   * unconditionally, the statement does the same.
   */
  skipWhenNone?: string;
}

/** One finding as a rule reports it; the analyzer adds identity, params, window, run. */
export interface FindingDraft {
  /** JST day 'YYYY-MM-DD' the finding belongs to (part of its identity). */
  day: string;
  /** Staff ID concerned, or '' (e.g. log-gap). */
  userId: string;
  /** What the finding is about besides the day: the user ID, an account, a terminal, a source… (part of its identity). */
  subject: string;
  count: number;
  firstAt?: string | null;
  lastAt?: string | null;
  /** One Japanese sentence for the findings list: what happened. */
  summary: string;
  details?: Record<string, unknown>;
  /** Event IDs that triggered it: all, or the first [maxEvidence] … */
  evidenceIds: string[];
  /** … and how many there were in all. */
  evidenceTotal: number;
}

/** What a finding's count is counted in: 件 (operations, records, IDs), 人 (residents), 回 (times), 分 (minutes). */
export const COUNT_UNITS = ['件', '人', '回', '分'] as const;
export type CountUnit = (typeof COUNT_UNITS)[number];

/** Site settings a rule's sentence may name (business hours are the calendar's, not the rule's). */
export interface ExplainContext {
  hours: BusinessHours;
}

/**
 * How a rule reads to the people who sign the report: one plain Japanese
 * sentence with the parameters in force written in (「1日に帳票・CSV出力が
 * 1,000件以上、…」, never `threshold=1000`), and what a finding's count counts.
 * The report's rule table and the console use these; nowhere else words them.
 */
export interface RuleExplanation<P> {
  sentence(params: P, site: ExplainContext): string;
  count: { of: string; unit: CountUnit };
}

/**
 * Logs a rule needs before a day to judge it (unused-account: a full 90 days
 * of an ID's system). Without them the rule judges nothing (判定保留), or only
 * part (mass-output without its 90-day baseline judges the fixed threshold
 * only). See judgement.ts: one verdict for the report, the console and docs.
 */
export interface RuleHistoryNeed<P> {
  days(params: P): number;
  /** Each source needs its own history (an ID's use is judged from its own system's logs). */
  perSource: boolean;
  /** Without the history: nothing is judged, or what is still judged (a phrase: 「1日1,000件以上の基準のみで判定」). */
  without: 'withheld' | { partial: (params: P) => string };
}

export interface RuleDefinition<P = Record<string, unknown>, Row = Record<string, unknown>> {
  /** Stable kebab ID from spec/rules.md. */
  id: string;
  /** Japanese title for reports, e.g. 時間外アクセス. */
  title: string;
  /**
   * Bumped whenever the logic (query) changes in a way that may change the
   * findings: every day analysed under an older version becomes due again.
   */
  version: number;
  /**
   * Bumped instead of the version when the query is only written differently
   * (faster) with the same findings — shown by the rule's fixtures and by
   * comparing the rows of both on benchmark data — so that an upgrade does
   * not analyse years of history again for nothing. Absent: 0.
   */
  revision?: number;
  severity: Severity;
  /** The guideline point it serves (特定個人情報ガイドライン / PPC inspection point), in Japanese. */
  guideline: string;
  /** A short Japanese explanation for reviewers: what it finds and what to check. */
  description: string;
  /** The rule as a sentence for people, and the unit of its count. */
  explain: RuleExplanation<P>;
  /** History it needs before a day to judge it (absent: it judges any day with its logs). */
  history?: RuleHistoryNeed<P>;
  /** What its query reads: event sources, masters, look-back (for the analysis ledger). */
  reads: RuleReads<P>;
  params: z.ZodType<P>;
  /**
   * Parameter values a rule takes from site-wide settings rather than from
   * rules.params.<id> (e.g. the approved device list); the rule's own
   * overrides win. Only values that are set are returned.
   */
  fromSettings?: (settings: SiteRuleSettings) => Record<string, unknown>;
  /**
   * Statements the analyzer runs before the query, for the same context:
   * they write the rule's own derived table (unexplained-access stores every
   * access with its classification, which its query then sums up and the
   * console and the report read). What they read is declared in `reads` and
   * checked like the query; the tables they write (INSERT INTO) may be read
   * by the query.
   */
  prepare?(ctx: RuleContext<P>): RuleQuery[];
  query(ctx: RuleContext<P>): RuleQuery;
  toFinding(row: Row, ctx: RuleContext<P>): FindingDraft;
  /**
   * What the rule saw and by design did not report, counted and never named
   * (off-hours: accesses covered by approved overtime), for the report's
   * coverage section. Its rows: ExcusedRow.
   */
  excused?: (ctx: RuleContext<P>) => RuleQuery;
}

/** A row of a rule's excused query: why, and how many events, users and user-days. */
export interface ExcusedRow {
  /** Japanese, e.g. 承認済みの時間外勤務命令の範囲内. */
  reason: string;
  events: number | string;
  users: number | string;
  user_days: number | string;
}

/** Site-wide settings of the rules section that rules may take parameters from (fromSettings). */
export interface SiteRuleSettings {
  /** Approved external devices. */
  approvedDevices: string[];
}

/** Declares a rule; the identity function keeps its types. */
export function defineRule<P, Row = Record<string, unknown>>(rule: RuleDefinition<P, Row>): RuleDefinition<P, Row> {
  return rule;
}

/** The look-back of a rule with its parameters (days before an analysed day whose events it reads). */
export function lookbackDaysOf<P>(rule: { reads: RuleReads<P> }, params: P): number {
  const { lookbackDays } = rule.reads;
  return typeof lookbackDays === 'function' ? lookbackDays(params) : lookbackDays;
}

/** The look-ahead of a rule with its parameters (days after an analysed day whose events it reads). */
export function lookaheadDaysOf<P>(rule: { reads: RuleReads<P> }, params: P): number {
  const { lookaheadDays = 0 } = rule.reads;
  return typeof lookaheadDays === 'function' ? lookaheadDays(params) : lookaheadDays;
}

/** Every statement of a rule for a context, in the order the analyzer runs them: its prepare statements, then its query. */
export function ruleStatements<P>(rule: Pick<RuleDefinition<P, unknown>, 'prepare' | 'query'>, ctx: RuleContext<P>): RuleQuery[] {
  return [...(rule.prepare?.(ctx) ?? []), rule.query(ctx)];
}

/** Evidence cap of spec/rules.md: the first 1000 event IDs and the total. */
export const MAX_EVIDENCE = 1000;
