import type { FindingStatus, Severity } from '@kansa/domain';

/**
 * Everything the monthly report shows, gathered once from the database. Every
 * format (PDF, HTML, XLSX, CSV) is rendered from this one object, so the
 * numbers agree across formats by construction.
 */
export interface MonthlyReport {
  month: string; // 'YYYY-MM'
  period: { from: string; to: string }; // whole JST days, inclusive
  organisation: { name: string; office: string };
  /** When the report was made, JST 'YYYY-MM-DD HH:MM'. */
  madeAt: string;
  approvers: string[];
  completeness: Completeness;
  scope: Scope;
  runs: AnalysisRunRow[];
  rules: RuleRow[];
  ruleResults: RuleResultRow[];
  findings: FindingRow[];
  accountReview: AccountReview;
  charts: ChartData;
  carriedOver: FindingRow[];
  integrity: Integrity;
  /** kansa 自体の利用状況: uses of kansa in the month (its audit log), by kind and outcome. */
  usage: UsageRow[];
}

export interface UsageRow {
  kind: string;
  title: string;
  /** ok, failed, refused */
  outcome: string;
  count: number;
  /** Different people (or tokens, or OS users) who did it. */
  people: number;
}

export interface Completeness {
  complete: boolean;
  /** Japanese sentences, shown on the cover when the month is incomplete. */
  notes: string[];
  missingDays: number;
  unanalysedDays: number;
}

export interface Scope {
  sources: Array<{ id: string; title: string }>;
  days: DayRow[];
  totals: Record<string, number>;
  total: number;
  missing: Array<{ source: string; sourceTitle: string; day: string; label: string }>;
  /** First day with any event stored (account review can only see logins from then). */
  firstEventDay: string | null;
}

export interface DayRow {
  day: string;
  weekday: string;
  businessDay: boolean;
  label: string;
  counts: Record<string, number>;
  total: number;
}

export interface AnalysisRunRow {
  runId: string;
  kind: string;
  startedAt: string;
  finishedAt: string | null;
  fromDay: string;
  toDay: string;
  rules: string[];
  status: string;
  findings: number;
  error: string;
}

export interface RuleRow {
  id: string;
  title: string;
  severity: Severity | string;
  version: number | null;
  guideline: string;
  params: string;
  /** Days of the month analysed by this rule (analysis ledger). */
  daysAnalysed: number;
}

export interface RuleResultRow {
  rule: string;
  title: string;
  found: number;
  reviewed: number;
  noIssue: number;
  actionRequired: number;
  falsePositive: number;
  open: number;
}

export interface FindingRow {
  id: string;
  day: string;
  time: string; // 'HH:MM' of the first event, or ''
  userId: string;
  name: string;
  department: string;
  rule: string;
  ruleTitle: string;
  severity: string;
  summary: string;
  count: number;
  status: FindingStatus;
  /** The decision (closed findings keep the decision made before closing). */
  outcome: FindingStatus;
  statusTitle: string;
  reviewer: string;
  reviewedAt: string; // JST 'YYYY-MM-DD HH:MM' or ''
  comment: string;
}

export interface AccountReview {
  absentees: AbsenteeRow[];
  unused: UnusedRow[];
  unusedDays: number;
  longLeaveDays: number;
  /** What the unused-ID list covers, or why it cannot be judged yet. */
  unusedNote: string;
  /** false: the logs do not reach back far enough (or record no logins) to judge unused IDs. */
  unusedJudged: boolean;
}

export interface AbsenteeRow {
  staffId: string;
  name: string;
  department: string;
  reason: string; // 育児休業 / 退職 …
  from: string;
  to: string; // '' when ongoing
  system: string;
  accountId: string;
  state: string;
  eventsInMonth: number;
  assessment: string;
}

export interface UnusedRow {
  system: string;
  accountId: string;
  staffId: string;
  name: string;
  department: string;
  state: string;
  lastLogin: string; // 'YYYY-MM-DD' or ''
  daysSince: number | null;
}

export interface ChartData {
  /** [weekday 0=Mon..6=Sun][hour 0..23] access events. */
  heatmap: number[][];
  topUsers: Array<{ userId: string; name: string; department: string; count: number }>;
  offHoursByDepartment: Array<{ departmentCode: string; department: string; findings: number; events: number }>;
}

export interface Integrity {
  chains: Array<{ source: string; sourceTitle: string; seq: number; chainHash: string; batches: number; lastImport: string }>;
  /** SHA-256 of the report's content (canonical JSON of this object without the digest itself). */
  dataDigest: string;
}
