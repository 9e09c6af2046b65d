import type { FindingStatus } from '@kansa/domain';
import type { CountUnit, JudgementState } from '@kansa/rules';

/**
 * Everything the monthly report shows, gathered once from the database. Every
 * format (PDF, HTML, XLSX, CSV) is rendered from this one object, so the
 * numbers agree across formats by construction.
 */
export interface MonthlyReport {
  month: string; // 'YYYY-MM'
  period: { from: string; to: string }; // whole JST days, inclusive
  organisation: { name: string; office: string };
  /** Confidentiality marking on the cover and every page (report.marking, e.g. 取扱注意); '' for none. */
  marking: string;
  /** When the report was made, JST 'YYYY-MM-DD HH:MM'. */
  madeAt: string;
  approvers: string[];
  /** 速報 while a finding of the month is undecided, 確定 when all are (or an officer finalised it). */
  status: ReportStatus;
  review: ReviewProgress;
  completeness: Completeness;
  summary: ReportSummary;
  scope: Scope;
  intake: Intake;
  access: AccessCounts;
  /** What rules saw and by design did not report (off-hours inside approved overtime): counts, never names. */
  excused: ExcusedRow[];
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
  /** 事案・例外承認・監査記録 of the month: no resident data. */
  casework: Casework;
  /** アクセスの説明: the explained share and the flagged look-ups per staff member (counts only). */
  explanations: Explanations;
}

export interface Casework {
  /** Cases not closed when the report was made, most recently changed first. */
  cases: Array<{
    id: string;
    userId: string;
    name: string;
    title: string;
    state: string;
    owner: string;
    findings: number;
    openedAt: string;
  }>;
  /** 継続監視対象 as of the month, with the reason. */
  patterns: Array<{ userId: string; name: string; department: string; reasons: string[]; openCases: string[] }>;
  /** Active exceptions in force on a day of the month or ending within the warning window of the day the report was made. */
  exceptions: Array<{
    id: string;
    version: number;
    reference: string;
    rule: string;
    reason: string;
    approvedBy: string;
    validFrom: string;
    validTo: string;
    /** Findings of the month that it covers. */
    findings: number;
    expiring: boolean;
  }>;
  /** Days of the warning window (casework.exceptions.expiringWithinDays). */
  expiringWithinDays: number;
  /** kansa's change history (audit trail) of the month: counts per kind, and the changes to masters, configuration (rules) and exceptions. */
  changeCounts: Array<{ kind: string; title: string; count: number }>;
  changes: Array<{ at: string; kind: string; title: string; summary: string; by: string }>;
}

export interface Explanations {
  /** Days of the month the unexplained-access rule classified (0: not classified, said in words). */
  classifiedDays: number;
  days: number;
  total: ShareCounts;
  byDepartmentAndSystem: Array<ShareCounts & { department: string; source: string; sourceTitle: string }>;
  /** Unexplained accesses to flagged residents per staff member: counts only, never a resident. */
  flaggedByStaff: Array<{
    userId: string;
    name: string;
    department: string;
    accesses: number;
    residents: number;
    days: number;
    flags: string;
  }>;
}

export interface ShareCounts {
  accesses: number;
  explained: number;
  flagged: number;
  unexplained: number;
  explainedShare: number | null;
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

export interface ReportStatus {
  final: boolean;
  /** 速報 or 確定. */
  label: '速報' | '確定';
  /** One sentence for the cover and the summary. */
  text: string;
  /** The officer's finalisation in force, if any (report_finalisations). */
  finalisation: { by: string; at: string; reason: string; undecided: number } | null;
}

/** Review progress of the month's findings, by their current state (a closed finding counts under its decision). */
export interface ReviewProgress {
  found: number;
  new: number;
  reviewing: number;
  noIssue: number;
  actionRequired: number;
  /** Of actionRequired: closed (the action is done). */
  actionDone: number;
  falsePositive: number;
  /** Covered by an approved exception (例外適用) and not reviewed since: decided in advance by its approver. */
  excepted: number;
  /** new + reviewing. */
  undecided: number;
}

export interface Completeness {
  complete: boolean;
  /** Japanese sentences, shown on the cover when the month is incomplete. */
  notes: string[];
  missingDays: number;
  unanalysedDays: number;
}

/** Section 1 (総括・所見): sentences and the tables that carry their numbers. */
export interface ReportSummary {
  /** Plain Japanese paragraphs, in order: what was analysed, found, decided, what remains. */
  paragraphs: Array<{ heading: string; lines: string[] }>;
  /** Findings of severity 重大 and 高, most severe first. */
  serious: FindingRow[];
  /** The 12 months ending with the report's month, oldest first. */
  trend: Trend;
}

export interface Trend {
  months: string[]; // 'YYYY-MM'
  /** Per month: whether any day of it was analysed ('－' in the tables when not). */
  analysed: boolean[];
  /** Per rule (catalogue order) and then per severity: counts per month, null when the month was not analysed. */
  rules: Array<{ rule: string; title: string; severity: string; counts: Array<number | null> }>;
  severities: Array<{ severity: string; counts: Array<number | null> }>;
  totals: Array<number | null>;
}

export interface Scope {
  sources: Array<{ id: string; title: string }>;
  days: DayRow[];
  totals: Record<string, number>;
  total: number;
  missing: Array<{ source: string; sourceTitle: string; day: string; label: string }>;
  /** Calendar overrides (calendar.csv) of the month, with what they changed in the analysis. */
  calendarNotes: Array<{ day: string; weekday: string; kind: string; note: string; effect: string }>;
  /** First day with any event stored. */
  firstEventDay: string | null;
}

export interface DayRow {
  day: string;
  weekday: string;
  businessDay: boolean;
  /** 開庁日, 土曜, 祝日: 昭和の日, 開庁日（休日開庁）: … — the calendar's word for the day. */
  label: string;
  counts: Record<string, number>;
  total: number;
}

/**
 * Import of the month's logs per system: lines read, stored, duplicates,
 * set aside as unreadable (with reasons). A batch belongs to the month of its
 * first event; a batch that stored nothing, to the month it was imported in.
 */
export interface Intake {
  systems: Array<{
    source: string;
    title: string;
    batches: number;
    read: number;
    stored: number;
    duplicates: number;
    rejected: number;
    other: number;
  }>;
  reasons: Array<{ source: string; title: string; field: string; reason: string; lines: number }>;
  /** Batches storage refused as a whole, still waiting (kansa batches): at any month. */
  setAside: Array<{ source: string; title: string; origin: string; lines: number; reason: string; since: string }>;
  /** Sentences: how lines read became events stored, and why the day table may differ. */
  notes: string[];
}

/** The access statistics' definition: access events = all events but logout and login failures. */
export interface AccessCounts {
  total: number;
  access: number;
  /** The events left out of "access", by action. */
  excluded: Array<{ action: string; title: string; events: number }>;
  /** One sentence: what counts as access and why its total differs from the log total. */
  note: string;
}

export interface ExcusedRow {
  rule: string;
  ruleTitle: string;
  reason: string;
  events: number;
  userDays: number;
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
  severity: string;
  version: number | null;
  guideline: string;
  /** The rule as one sentence with its parameters written in. */
  sentence: string;
  /** What a finding's count counts, and its unit. */
  countOf: string;
  unit: CountUnit | '';
  /** Days of the month analysed by this rule (analysis ledger). */
  daysAnalysed: number;
  judgement: JudgementState;
  /** 30日分析済み, or 判定保留：… / 一部判定：… — the same words wherever the rule's state is shown. */
  state: string;
}

export interface RuleResultRow {
  rule: string;
  title: string;
  severity: string;
  found: number;
  new: number;
  reviewing: number;
  noIssue: number;
  actionRequired: number;
  falsePositive: number;
  excepted: number;
  /** new + reviewing. */
  open: number;
  judgement: JudgementState;
  /** '' when judged, else the rule's state (判定保留：…). */
  note: string;
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
  /** 重大 / 高 / 中 / 低. */
  severity: string;
  /** 0 = 重大 … 3 = 低 (sorting, highlighting). */
  severityRank: number;
  summary: string;
  count: number;
  unit: string;
  status: FindingStatus;
  /** The decision (closed findings keep the decision made before closing); new/reviewing while undecided. */
  outcome: FindingStatus;
  statusTitle: string;
  /** Who made the decision (else who last changed it), when, and what was done (the comments). */
  reviewer: string;
  reviewedAt: string; // JST 'YYYY-MM-DD HH:MM' or ''
  comment: string;
}

export interface AccountReview {
  absentees: AbsenteeRow[];
  unused: UnusedRow[];
  unusedDays: number;
  longLeaveDays: number;
  /** What the unused-ID list covers, or why it is withheld: the unused-account rule's own state. */
  unusedNote: string;
  unusedJudgement: JudgementState;
}

export interface AbsenteeRow {
  staffId: string;
  name: string;
  department: string;
  /** 休業中 or 退職: the kind of leave is the staff member's own data and never printed. */
  absence: string;
  from: string;
  to: string; // '' when ongoing
  system: string;
  accountId: string;
  state: string;
  /** Events of the account on the days of the absence in the month (after retirement, during the leave). */
  eventsWhileAbsent: number;
  /** 1 most urgent … 5 nothing to do. */
  urgency: number;
  assessment: string;
}

export interface UnusedRow {
  system: string;
  accountId: string;
  staffId: string;
  name: string;
  department: string;
  lastUsed: string; // 'YYYY-MM-DD' or ''
  daysSince: number | null;
  statusTitle: string;
}

export interface ChartData {
  /** [weekday 0=Mon..6=Sun][hour 0..23] access events. */
  heatmap: number[][];
  topUsers: Array<{ userId: string; name: string; department: string; count: number }>;
  offHoursByDepartment: Array<{ departmentCode: string; department: string; findings: number; events: number }>;
}

export interface Integrity {
  /** Per system and writer: the chain's latest head when the report was made, and the batches holding the month's events. */
  chains: ChainHead[];
  verification: Verification;
  /** SHA-256 of the report's content (canonical JSON without the time made, the verification and the digest itself). */
  dataDigest: string;
}

export interface ChainHead {
  source: string;
  sourceTitle: string;
  writer: string;
  /** The chain's latest batch: its number and chain hash. */
  seq: number;
  chainHash: string;
  lastImport: string;
  /** Batches holding events of the month, and their numbers. */
  monthBatches: number;
  monthSeqFrom: number;
  monthSeqTo: number;
}

export interface Verification {
  /** ok: holds and covers every batch; stale: held, but batches arrived since; broken; none: never checked. */
  state: 'ok' | 'stale' | 'broken' | 'none';
  /** 「検証結果：整合」… — one sentence, as every format prints it. */
  verdict: string;
  checkedAt: string | null;
  details: string[];
}
