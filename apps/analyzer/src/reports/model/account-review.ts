import type { JudgementState } from '@kansa/rules';
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

/** An unused-account finding of the month: the account review lists exactly what the rule found. */
export interface UnusedFinding {
  system: string;
  accountId: string;
  staffId: string;
  lastUsed: string;
  statusTitle: string;
}

export interface AccountReviewInput {
  window: { from: string; to: string };
  staff: readonly StaffRecord[];
  accounts: readonly AccountRecord[];
  leaves: readonly LeaveRecord[];
  /** Events per (system, account) and day in the month, of the absentees' accounts. */
  activity: ReadonlyArray<{ source: string; user_id: string; day: string; n: number }>;
  longLeaveDays: number;
  unusedDays: number;
  unused: readonly UnusedFinding[];
  /** The unused-account rule's state for the month (its judgement), as the rule table shows it. */
  unusedJudgement: JudgementState;
  unusedState: string;
  systemTitle: (system: string) => string;
}

const ACTIVE = '有効';
export const ABSENCE_LEAVE = '休業中';
export const ABSENCE_RETIRED = '退職';

export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** An absence to review: whose, which kind, and the days (inclusive) on which any use of their IDs is use while absent. */
export interface Absence {
  staffId: string;
  kind: typeof ABSENCE_LEAVE | typeof ABSENCE_RETIRED;
  from: string;
  to: string; // '' open-ended
  /** First and last day of use-while-absent (the day after retirement onwards). */
  absentFrom: string;
  absentTo: string;
}

/**
 * Staff whose IDs need review in the month: leaves overlapping the month that
 * last, or are planned to last, ≥ longLeaveDays (an open-ended leave counts
 * from its start to the end of the month), and retirees with an active ID or
 * retired in the month. The kind of leave is not kept: the report says 休業中.
 */
export function absences(input: Pick<AccountReviewInput, 'window' | 'staff' | 'accounts' | 'leaves' | 'longLeaveDays'>): Absence[] {
  const { window: w, longLeaveDays } = input;
  const out: Absence[] = [];
  for (const l of input.leaves) {
    const end = l.end_date ?? '';
    if (l.start_date > w.to || (end && end < w.from)) continue;
    const planned = end ? daysBetween(l.start_date, end) + 1 : 0;
    const sofar = daysBetween(l.start_date, end && end < w.to ? end : w.to) + 1;
    if (planned >= longLeaveDays || sofar >= longLeaveDays)
      out.push({
        staffId: l.staff_id,
        kind: ABSENCE_LEAVE,
        from: l.start_date,
        to: end,
        absentFrom: l.start_date,
        absentTo: end || '9999-12-31',
      });
  }
  for (const s of input.staff) {
    if (!s.retired_on || s.retired_on > w.to) continue;
    const active = input.accounts.some((a) => a.staff_id === s.staff_id && a.state === ACTIVE);
    if (s.retired_on >= w.from || active) {
      const dayAfter = new Date(Date.parse(`${s.retired_on}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      out.push({ staffId: s.staff_id, kind: ABSENCE_RETIRED, from: s.retired_on, to: '', absentFrom: dayAfter, absentTo: '9999-12-31' });
    }
  }
  return out.sort((x, y) => x.staffId.localeCompare(y.staffId) || x.from.localeCompare(y.from));
}

/** How urgent an absentee's ID is (1 first), and what to do, in the words of the review. */
function assess(kind: Absence['kind'], active: boolean, used: number): { urgency: number; assessment: string } {
  if (kind === ABSENCE_RETIRED) {
    if (used > 0 && active) return { urgency: 1, assessment: '至急対応：退職後に使用されたIDが有効のまま（直ちに停止し、使用者を確認）' };
    if (used > 0) return { urgency: 2, assessment: '要確認：退職後の使用あり（IDは停止済み）' };
  } else if (used > 0) {
    return { urgency: 2, assessment: active ? '要確認：休業中の使用あり（IDは有効のまま）' : '要確認：休業中の使用あり（IDは停止済み）' };
  }
  if (active) return { urgency: 3, assessment: '要対応：IDの停止' };
  return { urgency: 5, assessment: '対応済み（IDは停止済み）' };
}

/** The account review section: absentees' IDs, most urgent first, and the unused IDs the unused-account rule found. */
export function accountReview(input: AccountReviewInput): AccountReview {
  const { window: w, systemTitle } = input;
  const staffById = new Map(input.staff.map((s) => [s.staff_id, s]));
  const dept = (s: StaffRecord | undefined) => (s ? s.department_name || s.department_code : '');
  const accountsOf = new Map<string, AccountRecord[]>();
  for (const a of input.accounts) accountsOf.set(a.staff_id, [...(accountsOf.get(a.staff_id) ?? []), a]);
  const usedWhile = (system: string, account: string, a: Absence) =>
    input.activity
      .filter((x) => x.source === system && x.user_id === account && x.day >= w.from && x.day <= w.to)
      .filter((x) => x.day >= a.absentFrom && x.day <= a.absentTo)
      .reduce((n, x) => n + x.n, 0);

  const absentees: AbsenteeRow[] = [];
  for (const a of absences(input)) {
    const s = staffById.get(a.staffId);
    const base = { staffId: a.staffId, name: s?.name ?? '', department: dept(s), absence: a.kind, from: a.from, to: a.to };
    const accs = accountsOf.get(a.staffId) ?? [];
    if (accs.length === 0)
      absentees.push({
        ...base,
        system: '',
        accountId: '',
        state: '（IDなし）',
        eventsWhileAbsent: 0,
        urgency: 5,
        assessment: '対応不要（IDなし）',
      });
    for (const acc of accs) {
      const used = usedWhile(acc.system, acc.account_id, a);
      absentees.push({
        ...base,
        system: systemTitle(acc.system),
        accountId: acc.account_id,
        state: acc.state,
        eventsWhileAbsent: used,
        ...assess(a.kind, acc.state === ACTIVE, used),
      });
    }
  }
  absentees.sort((x, y) => x.urgency - y.urgency || x.staffId.localeCompare(y.staffId) || x.system.localeCompare(y.system));

  const unused: UnusedRow[] = input.unused
    .map((u) => {
      const s = staffById.get(u.staffId);
      return {
        system: systemTitle(u.system),
        accountId: u.accountId,
        staffId: u.staffId,
        name: s?.name ?? '',
        department: dept(s),
        lastUsed: u.lastUsed,
        daysSince: u.lastUsed ? daysBetween(u.lastUsed, w.to) : null,
        statusTitle: u.statusTitle,
      };
    })
    .sort((x, y) => x.system.localeCompare(y.system) || x.accountId.localeCompare(y.accountId));
  return {
    absentees,
    unused,
    unusedDays: input.unusedDays,
    longLeaveDays: input.longLeaveDays,
    unusedNote: input.unusedState,
    unusedJudgement: input.unusedJudgement,
  };
}
