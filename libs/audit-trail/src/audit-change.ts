import { createHash } from 'node:crypto';

/**
 * What the audit trail records. Every kind here is alerted to the 監査担当
 * but the QUIET_KINDS, which are recorded only.
 */
export const AUDIT_KINDS = {
  'config-baseline': '設定の記録開始',
  config: '設定の変更',
  masters: 'マスタの変更（監視対象）',
  'masters-load': 'マスタの取込',
  exception: '例外承認の変更',
  user: '利用者の変更',
  token: 'APIトークンの変更',
  'verify-failed': '改ざん検知チェーンの検証失敗',
  'verify-ok': '改ざん検知チェーンの検証が正常に戻った',
  'clock-backwards': 'kansa の時計の逆行',
  'volume-drop': 'ログ量の急減',
} as const;
export type AuditKind = keyof typeof AUDIT_KINDS;

/** Kinds recorded without an alert: the first configuration seen, and master loads that change nothing watched. */
export const QUIET_KINDS: readonly AuditKind[] = ['config-baseline', 'masters-load', 'verify-ok'];

/** One change as recorded (chained per writer). Times are JST `YYYY-MM-DD HH:mm:ss.SSS`. */
export interface AuditChange {
  changeId: string;
  writer: string;
  seq: number;
  at: string;
  kind: string;
  /** What changed: a configuration section, a master, an exception ID, a source … */
  subject: string;
  /** One Japanese sentence for the message and the log — never resident data. */
  summary: string;
  /** JSON of the state before and after (no resident data, no secrets). */
  before: string;
  after: string;
  /** Who: a person, a configuration file, or 'kansa' for what its watch found. */
  actor: string;
  /** From where: host and OS user, or an HTTP client. */
  origin: string;
  prevHash: string;
  hash: string;
}

export const AUDIT_GENESIS = '0'.repeat(64);

/** hash = SHA-256 over the previous hash and every field of the change. */
export function auditHash(c: Omit<AuditChange, 'hash'>): string {
  return createHash('sha256')
    .update([c.prevHash, c.changeId, c.writer, c.seq, c.at, c.kind, c.subject, c.summary, c.before, c.after, c.actor, c.origin].join('\n'))
    .digest('hex');
}
