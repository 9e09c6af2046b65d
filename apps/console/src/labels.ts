// The words of the console: the domain's own vocabulary (imported as it is, so
// the console says what the report and the CLI say), and the console's own.
export {
  FINDING_STATUS_TITLES,
  FINDING_STATUSES,
  FINDING_TRANSITIONS,
  SEVERITIES,
  SEVERITY_TITLES,
} from '../../../libs/domain/src/finding';
export type { FindingStatus, Severity } from '../../../libs/domain/src/finding';
export { masterTitle } from '../../../libs/domain/src/masters';
export { actionTitle, sourceTitle } from '../../../libs/domain/src/actions';
export { AUDIT_KIND_TITLES, AUDIT_KINDS, AUDIT_OUTCOME_TITLES, PERSON_ROLE_TITLES, PERSON_ROLES } from '../../../libs/domain/src/people';
export type { AuditKind, PersonRole } from '../../../libs/domain/src/people';
export { CASE_STATE_TITLES, CASE_STATES, CASE_TRANSITIONS } from '../../../apps/analyzer/src/casework/cases/case.model';
export type { CaseState } from '../../../apps/analyzer/src/casework/cases/case.model';
export { dualDate, eraDate, eraMonth, weekdayJa } from '../../../apps/analyzer/src/reports/model/era-date';

export const COVERAGE_TITLES = {
  analysed: '分析済み',
  late: '未分析 (後から届いたログ)',
  missing: 'ログなし (開庁日)',
  closed: '閉庁日 (ログなし)',
  future: '未到来',
} as const;

export const SEVERITY_COLORS: Record<string, string> = { low: '#5b7db1', medium: '#c28a00', high: '#c4461b', critical: '#8b1a1a' };

/** What happened in a case's timeline (事案の経過). */
export const CASE_EVENT_TITLES: Record<string, string> = {
  opened: '事案を開始',
  state: '状態の変更',
  owner: '担当者の変更',
  note: 'メモ',
  link: '検知を追加',
  unlink: '検知を除外',
};

export const EXCEPTION_STATE_TITLES: Record<string, string> = { active: '有効', revoked: '取消' };
