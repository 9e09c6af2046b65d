import type { AbsenteeRow, AccountReview, UnusedRow } from './report.model';

export interface StaffRecord {
  staff_id: string;
  name: string;
  department_code: string;
  department_name: string;
  retired_on: string | null;
}
export interface AccountRecord {
  system: string;
  account_id: string;
  staff_id: string;
  state: string;
  state_changed_on: string | null;
}
export interface LeaveRecord {
  staff_id: string;
  leave_type: string;
  start_date: string;
  end_date: string | null;
}

export interface AccountReviewInput {
  window: { from: string; to: string };
  staff: readonly StaffRecord[];
  accounts: readonly AccountRecord[];
  leaves: readonly LeaveRecord[];
  /** Last successful login day per (system, account). */
  lastLogins: ReadonlyArray<{ source: string; user_id: string; last: string }>;
  /** Events in the month per (system, account) of the absentees. */
  activity: ReadonlyMap<string, number>;
  firstEventDay: string | null;
  longLeaveDays: number;
  unusedDays: number;
  systemTitle: (system: string) => string;
}

const ACTIVE = '有効';

export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/**
 * Staff whose IDs need review in the month: leaves overlapping the month that
 * last, or are planned to last, ≥ longLeaveDays (an open-ended leave counts
 * from its start to the end of the month), and retirees with an active ID or
 * retired in the month.
 */
export function absentStaff(
  input: Pick<AccountReviewInput, 'window' | 'staff' | 'accounts' | 'leaves' | 'longLeaveDays'>,
): Array<{ staffId: string; reason: string; from: string; to: string }> {
  const { window: w, longLeaveDays } = input;
  const out: Array<{ staffId: string; reason: string; from: string; to: string }> = [];
  for (const l of input.leaves) {
    const end = l.end_date ?? '';
    if (l.start_date > w.to || (end && end < w.from)) continue;
    const planned = end ? daysBetween(l.start_date, end) + 1 : 0;
    const sofar = daysBetween(l.start_date, end && end < w.to ? end : w.to) + 1;
    if (planned >= longLeaveDays || sofar >= longLeaveDays)
      out.push({ staffId: l.staff_id, reason: l.leave_type, from: l.start_date, to: end });
  }
  for (const s of input.staff) {
    if (!s.retired_on || s.retired_on > w.to) continue;
    const active = input.accounts.some((a) => a.staff_id === s.staff_id && a.state === ACTIVE);
    if (s.retired_on >= w.from || active) out.push({ staffId: s.staff_id, reason: '退職', from: s.retired_on, to: '' });
  }
  return out.sort((x, y) => x.staffId.localeCompare(y.staffId) || x.from.localeCompare(y.from));
}

/** The account review section (6): absentees' IDs with their state and use, and unused IDs. */
export function accountReview(input: AccountReviewInput): AccountReview {
  const { window: w, systemTitle } = input;
  const staffById = new Map(input.staff.map((s) => [s.staff_id, s]));
  const dept = (s: StaffRecord | undefined) => (s ? s.department_name || s.department_code : '');
  const accountsOf = new Map<string, AccountRecord[]>();
  for (const a of input.accounts) accountsOf.set(a.staff_id, [...(accountsOf.get(a.staff_id) ?? []), a]);

  const absentees: AbsenteeRow[] = [];
  for (const a of absentStaff(input)) {
    const s = staffById.get(a.staffId);
    const base = { staffId: a.staffId, name: s?.name ?? '', department: dept(s), reason: a.reason, from: a.from, to: a.to };
    const accs = accountsOf.get(a.staffId) ?? [];
    if (accs.length === 0)
      absentees.push({ ...base, system: '', accountId: '', state: '（IDなし）', eventsInMonth: 0, assessment: '対応不要' });
    for (const acc of accs) {
      const used = input.activity.get(`${acc.system}|${acc.account_id}`) ?? 0;
      const assessment = used > 0 ? '要確認（期間中の利用あり）' : acc.state === ACTIVE ? '要対応（IDの停止）' : '停止済';
      absentees.push({
        ...base,
        system: systemTitle(acc.system),
        accountId: acc.account_id,
        state: acc.state,
        eventsInMonth: used,
        assessment,
      });
    }
  }

  // Only systems whose logs record logins can show non-use, and only once the
  // records reach back far enough (else the section says it cannot judge yet).
  const lastLogin = new Map(input.lastLogins.map((l) => [`${l.source}|${l.user_id}`, l.last]));
  const loginSystems = [...new Set(input.lastLogins.map((l) => l.source))];
  const historyDays = input.firstEventDay ? daysBetween(input.firstEventDay, w.to) + 1 : 0;
  const canJudge = historyDays >= input.unusedDays;
  const unused: UnusedRow[] = [];
  for (const a of input.accounts) {
    if (a.state !== ACTIVE || !canJudge || !loginSystems.includes(a.system)) continue;
    const last = lastLogin.get(`${a.system}|${a.account_id}`) ?? '';
    const since = [last, a.state_changed_on ?? ''].filter(Boolean).sort().pop() ?? '';
    if (since && daysBetween(since, w.to) < input.unusedDays) continue;
    const s = staffById.get(a.staff_id);
    unused.push({
      system: systemTitle(a.system),
      accountId: a.account_id,
      staffId: a.staff_id,
      name: s?.name ?? '',
      department: dept(s),
      state: a.state,
      lastLogin: last,
      daysSince: last ? daysBetween(last, w.to) : null,
    });
  }
  const unusedNote = !input.firstEventDay
    ? 'ログがないため判定できません。'
    : !canJudge
      ? `ログの記録は${input.firstEventDay}からで${input.unusedDays}日に満たないため、未使用IDは判定できません（記録が${input.unusedDays}日分たまると判定します）。`
      : `ログインを記録するシステム（${loginSystems.map(systemTitle).join('、')}）のIDが対象です。ログの記録は${input.firstEventDay}からです。`;
  return {
    absentees,
    unused,
    unusedDays: input.unusedDays,
    longLeaveDays: input.longLeaveDays,
    unusedNote,
    unusedJudged: canJudge && loginSystems.length > 0,
  };
}
