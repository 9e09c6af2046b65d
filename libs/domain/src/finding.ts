export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const SEVERITY_TITLES: Record<Severity, string> = {
  low: '低',
  medium: '中',
  high: '高',
  critical: '重大',
};

/** Triage states (spec/rules.md "Triage states"). */
export const FINDING_STATUSES = ['new', 'excepted', 'reviewing', 'no_issue', 'action_required', 'false_positive', 'closed'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

export const FINDING_STATUS_TITLES: Record<FindingStatus, string> = {
  new: '未確認',
  excepted: '例外適用',
  reviewing: '確認中',
  no_issue: '業務上必要・問題なし',
  action_required: '要対応',
  false_positive: '誤検知',
  closed: '完了',
};

/** The state of a finding nobody has triaged yet: 例外適用 when an approved exception covers it, else 未確認. */
export function untriagedStatus(exceptionId: string): FindingStatus {
  return exceptionId ? 'excepted' : 'new';
}

/** untriagedStatus in SQL, over a column holding the exception's ID ('' for none): for queries that derive the state in ClickHouse. */
export function untriagedStatusSql(exceptionIdColumn: string): string {
  return `if(${exceptionIdColumn} != '', 'excepted', 'new')`;
}

/**
 * Allowed transitions: new → reviewing → {no_issue, action_required,
 * false_positive} → closed. A finding an approved exception covers
 * (excepted, set by the analyzer, never by a person) may still be reviewed.
 */
export const FINDING_TRANSITIONS: Record<FindingStatus, readonly FindingStatus[]> = {
  new: ['reviewing'],
  excepted: ['reviewing'],
  reviewing: ['no_issue', 'action_required', 'false_positive'],
  no_issue: ['closed', 'reviewing'],
  action_required: ['closed', 'reviewing'],
  false_positive: ['closed', 'reviewing'],
  closed: [],
};
