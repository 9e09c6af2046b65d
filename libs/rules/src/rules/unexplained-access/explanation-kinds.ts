/**
 * The vocabulary of explanations (docs/explanations.md): what explains an
 * access, what flags its target, and the class an access ends up in. Codes
 * are stored in `access_explanations`; titles are what staff read.
 */

/** Why an access is considered fine. */
export const EXPLANATION_KINDS = {
  /** A business record of the resident in the user's department, from 30 days before to 1 day after. */
  record: '業務記録',
  /** An assignment covering the resident or the household, to the user or the department. */
  assignment: '担当割当',
  /** (統合宛名 照会) A 中間サーバー 情報照会 for the same resident by the same user on the same day: the look-up prepared it. */
  chukan: '中間サーバー照会の準備',
  /** An account that runs batch jobs (configuration). */
  batch: 'バッチ処理',
} as const;
export type ExplanationKind = keyof typeof EXPLANATION_KINDS;

/** What makes the target of an access sensitive by nature. */
export const FLAG_KINDS = {
  /** The user's own record or household. */
  self: '本人・同一世帯',
  /** On the watchlist (DV等支援措置 …) that day. */
  watchlist: '要保護対象者',
  /** Living at the user's own address (same 住所コード), not of the household. */
  'same-address': '同一住所',
  /** Moved out or died (除票) before the day. */
  removed: '除票',
} as const;
export type FlagKind = keyof typeof FLAG_KINDS;

/**
 * explained: at least one explanation (flags are kept beside it);
 * flagged: no explanation, and a sensitive target; unexplained: neither.
 */
export const ACCESS_CLASSES = {
  explained: '説明あり',
  flagged: '説明なし（要注意の対象）',
  unexplained: '説明なし',
} as const;
export type AccessClass = keyof typeof ACCESS_CLASSES;

/**
 * The accesses to a resident's record that are classified: 住民記録 views,
 * updates and issues, 統合宛名 照会, 中間サーバー 情報照会 (source, action).
 */
export const CLASSIFIED_ACCESSES: ReadonlyArray<readonly [string, string]> = [
  ['jumin', 'view'],
  ['jumin', 'update'],
  ['jumin', 'issue'],
  ['atena', 'view'],
  ['chukan', 'inquiry'],
];

/** The source of business records, and the systems whose logs the cross-system explanation joins. */
export const RECORDS_SOURCE = 'records';
export const ATENA_SOURCE = 'atena';
export const CHUKAN_SOURCE = 'chukan';

/** 異動区分 of residents.csv that make a 除票. */
export const REMOVED_MOVEMENTS: readonly string[] = ['転出', '死亡'];
