import { NON_ACCESS_ACTIONS, sourceOrder, sourceTitle, formatCount as fmt } from '@kansa/domain';
import type { AccessCounts, Intake } from './report.model';

export interface IntakeInput {
  /** Per source: the month's batches and their line counts. */
  batches: ReadonlyArray<{ source: string; batches: number; read: number; stored: number; duplicates: number; quarantined: number }>;
  /** Lines set aside as unreadable, per source, field and reason. */
  reasons: ReadonlyArray<{ source: string; field: string; reason: string; n: number }>;
  setAside: ReadonlyArray<{ source: string; origin: string; lines: number; reason: string; since: string }>;
  /** Events stored on the month's days (the day table's total). */
  eventsOfMonth: number;
}

/**
 * How the month's lines became events: read = stored + duplicates + rejected
 * (+ headers and empty lines), with the reasons for every rejected line, and
 * batches storage refused as a whole that still wait.
 */
export function buildIntake(input: IntakeInput): Intake {
  const systems = [...input.batches]
    .sort((a, b) => sourceOrder(a.source, b.source))
    .map((b) => ({
      source: b.source,
      title: sourceTitle(b.source),
      batches: b.batches,
      read: b.read,
      stored: b.stored,
      duplicates: b.duplicates,
      rejected: b.quarantined,
      other: Math.max(0, b.read - b.stored - b.duplicates - b.quarantined),
    }));
  const reasons = [...input.reasons]
    .sort((a, b) => sourceOrder(a.source, b.source) || b.n - a.n || a.field.localeCompare(b.field))
    .map((r) => ({ source: r.source, title: sourceTitle(r.source), field: r.field, reason: r.reason, lines: r.n }));
  const sum = (k: 'read' | 'stored' | 'duplicates' | 'rejected' | 'other') => systems.reduce((a, s) => a + s[k], 0);
  const notes: string[] = [];
  if (systems.length > 0) {
    const parts = [
      `保存 ${fmt(sum('stored'))} 件`,
      `重複 ${fmt(sum('duplicates'))} 行（同じ行の再送。保存済みの1件と同じため保存しない）`,
      `除外 ${fmt(sum('rejected'))} 行（形式の誤り。理由は次の表、行は理由とともに保管）`,
      ...(sum('other') ? [`見出し・空行 ${fmt(sum('other'))} 行`] : []),
    ];
    notes.push(`読み込んだ ${fmt(sum('read'))} 行の内訳：${parts.join('、')}。`);
    if (sum('stored') !== input.eventsOfMonth)
      notes.push(
        `取込単位の保存件数（${fmt(sum('stored'))} 件）と日別ログ件数の合計（${fmt(input.eventsOfMonth)} 件）の差は、月をまたぐ取込単位によるものです（取込単位は最初のログの日の月に数えます）。`,
      );
  }
  const setAside = input.setAside.map((s) => ({ ...s, title: sourceTitle(s.source) }));
  if (setAside.length)
    notes.push(
      `取込を保留しているバッチが ${setAside.length} 件（${fmt(setAside.reduce((a, s) => a + s.lines, 0))} 行）あります。保存されておらず、分析に含まれていません（kansa batches list で確認し、原因を除いて再取込してください）。`,
    );
  return { systems, reasons, setAside, notes };
}

/** Japanese names of the actions left out of "access". */
const NON_ACCESS_TITLES: Record<string, string> = {
  logout: 'ログアウト',
  login_failure: 'ログイン失敗',
  account_lockout: 'アカウントのロックアウト',
  record: '業務記録',
};

/**
 * The access statistics count access events — every event but logouts,
 * failed logins and account lockouts, the detection rules' definition — so
 * their total is less than the log total; the difference is named (the kinds
 * the month has).
 */
export function accessCounts(byAction: ReadonlyArray<{ action: string; n: number }>): AccessCounts {
  const total = byAction.reduce((a, x) => a + x.n, 0);
  const excluded = NON_ACCESS_ACTIONS.map((action) => ({
    action,
    title: NON_ACCESS_TITLES[action] ?? action,
    events: byAction.filter((x) => x.action === action).reduce((a, x) => a + x.n, 0),
  }));
  const left = excluded.reduce((a, x) => a + x.events, 0);
  const note =
    `アクセス件数は、${NON_ACCESS_ACTIONS.map((a) => NON_ACCESS_TITLES[a] ?? a).join('・')}を除くすべての操作（ログイン、検索、照会、更新、証明書発行、帳票・CSV出力、情報照会、端末の操作など）の件数です（検知ルールの「アクセス」と同じ定義）。` +
    (left
      ? `ログ件数 ${fmt(total)} 件との差 ${fmt(left)} 件は、${excluded
          .filter((x) => x.events > 0)
          .map((x) => `${x.title} ${fmt(x.events)} 件`)
          .join('と')}です。`
      : `ログ件数 ${fmt(total)} 件のすべてがアクセスです。`);
  return { total, access: total - left, excluded, note };
}
