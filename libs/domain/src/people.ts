/**
 * The console's vocabulary of people and what they do with kansa, shared by
 * the service (libs/service-shell) and the console (apps/console imports
 * this file as it is: it imports nothing).
 */

/** Roles of people (console accounts); machines hold API tokens (ingest, read, triage). */
export const PERSON_ROLES = ['admin', 'officer', 'reviewer', 'auditor', 'viewer'] as const;
export type PersonRole = (typeof PERSON_ROLES)[number];

export const PERSON_ROLE_TITLES: Record<PersonRole, string> = {
  admin: '管理者',
  officer: '担当者 (システム管理室)',
  reviewer: '確認者',
  auditor: '監査人',
  viewer: '閲覧者',
};

/** What kansa's audit log records (監査ログ; docs/console.md "Audit log"). */
export const AUDIT_KINDS = [
  'read',
  'export',
  'login',
  'login_failure',
  'logout',
  'session_expired',
  'auth_failure',
  'password_change',
  'triage',
  'assign',
  'user_change',
  'token_change',
  'masters_load',
  'report_make',
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

export const AUDIT_KIND_TITLES: Record<AuditKind, string> = {
  read: '個人情報の参照',
  export: '個人情報の出力',
  login: 'ログイン',
  login_failure: 'ログイン失敗',
  logout: 'ログアウト',
  session_expired: 'セッション期限切れ',
  auth_failure: '認証失敗 (API)',
  password_change: 'パスワード変更',
  triage: '検知の確認・判断',
  assign: '検知の担当割当',
  user_change: '利用者の変更',
  token_change: 'トークンの作成',
  masters_load: 'マスタの取り込み',
  report_make: '報告書の作成',
};

/** How a use of kansa ended, as its audit log records it (ok, failed, refused). */
export const AUDIT_OUTCOME_TITLES: Record<string, string> = { ok: '成功', failed: '失敗', refused: '拒否' };
