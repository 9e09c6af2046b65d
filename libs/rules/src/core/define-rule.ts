import { z } from 'zod';
import type { BusinessHours } from '@kansa/config';
import type { Severity } from '@kansa/domain';

/** Master versions in effect for the analysed window (see @kansa/masters). */
export interface MasterVersions {
  staff: number;
  leaves: number;
  accounts: number;
  overtime: number;
  watchlist: number;
  permissions: number;
  residents: number;
  calendar: number;
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

export interface RuleDefinition<P = Record<string, unknown>, Row = Record<string, unknown>> {
  /** Stable kebab ID from spec/rules.md. */
  id: string;
  /** Japanese title for reports, e.g. 時間外アクセス. */
  title: string;
  /** Bumped whenever the logic (query) changes. */
  version: number;
  severity: Severity;
  /** The guideline point it serves (特定個人情報ガイドライン / PPC inspection point), in Japanese. */
  guideline: string;
  /** A short Japanese explanation for reviewers: what it finds and what to check. */
  description: string;
  /** Sources whose events it reads (for the analysis ledger); [] for master-only rules. */
  sources: readonly string[];
  /** Look-back the query needs before the window (days), e.g. mass-output's 90-day baseline. */
  lookbackDays?: number;
  params: z.ZodType<P>;
  query(ctx: RuleContext<P>): RuleQuery;
  toFinding(row: Row, ctx: RuleContext<P>): FindingDraft;
}

/** Declares a rule; the identity function keeps its types. */
export function defineRule<P, Row = Record<string, unknown>>(rule: RuleDefinition<P, Row>): RuleDefinition<P, Row> {
  return rule;
}

/** Evidence cap of spec/rules.md: the first 1000 event IDs and the total. */
export const MAX_EVIDENCE = 1000;
