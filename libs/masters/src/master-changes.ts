/**
 * What a new version of a master changes that could hide misuse (docs/
 * casework.md): entries taken off the watchlist or ended early, permissions
 * widened, leaves and retirements entered or changed for days already past,
 * accounts enabled again, assignments (担当割当) entered or changed for days
 * already past (an assignment explains the accesses it covers, so a
 * back-dated one can explain a past look-up away). Pure functions over the rows of two versions; the
 * result names no resident (counts, categories, dates, department and system
 * codes, staff IDs only).
 */
export interface WatchlistRow {
  category: string;
  resident_id: string;
  integrated_id: string;
  start_date: string;
  end_date: string | null;
}
export interface PermissionRow {
  department_code: string;
  system: string;
  business_code: string;
}
export interface LeaveRow {
  staff_id: string;
  start_date: string;
  end_date: string | null;
}
export interface StaffRow {
  staff_id: string;
  retired_on: string | null;
}
export interface AccountRow {
  system: string;
  account_id: string;
  state: string;
}

export interface AssignmentRow {
  kind: string;
  department_code: string;
  staff_id: string;
  household_id: string;
  resident_id: string;
  start_date: string;
  end_date: string | null;
}

export interface MasterChanges {
  watchlist: { removed: number; endedEarly: number; categories: string[] };
  permissionsWidened: string[];
  /** Leaves added or changed that start before the day of the load (staff IDs and dates; never the kind of leave). */
  leavesBackdated: Array<{ staffId: string; from: string; to: string | null }>;
  /** Retirement dates set or moved to a day already past. */
  retirementsBackdated: Array<{ staffId: string; retiredOn: string }>;
  /** Accounts that were not valid and are valid again. */
  accountsEnabled: Array<{ system: string; accountId: string }>;
  /** Assignments added or changed that start before the day of the load (department, staff ID, dates; never the household or resident). */
  assignmentsBackdated: Array<{ kind: string; department: string; staffId: string; from: string; to: string | null }>;
}

const key = (...parts: Array<string | null>) => parts.map((p) => p ?? '').join('\u0001');

export function watchlistChanges(before: readonly WatchlistRow[], after: readonly WatchlistRow[]): MasterChanges['watchlist'] {
  const now = new Map(after.map((r) => [key(r.category, r.resident_id, r.integrated_id, r.start_date), r]));
  let removed = 0;
  let endedEarly = 0;
  const categories = new Set<string>();
  for (const r of before) {
    const next = now.get(key(r.category, r.resident_id, r.integrated_id, r.start_date));
    if (!next) {
      removed++;
      categories.add(r.category);
    } else if (next.end_date !== null && (r.end_date === null || next.end_date < r.end_date)) {
      endedEarly++;
      categories.add(r.category);
    }
  }
  return { removed, endedEarly, categories: [...categories].sort() };
}

export function permissionsWidened(before: readonly PermissionRow[], after: readonly PermissionRow[]): string[] {
  const had = new Set(before.map((r) => key(r.department_code, r.system, r.business_code)));
  return after
    .filter((r) => !had.has(key(r.department_code, r.system, r.business_code)))
    .map((r) => `${r.department_code} ${r.system} ${r.business_code}`)
    .sort();
}

export function leavesBackdated(
  before: readonly LeaveRow[],
  after: readonly LeaveRow[],
  loadDay: string,
): MasterChanges['leavesBackdated'] {
  const had = new Set(before.map((r) => key(r.staff_id, r.start_date, r.end_date)));
  return after
    .filter((r) => r.start_date < loadDay && !had.has(key(r.staff_id, r.start_date, r.end_date)))
    .map((r) => ({ staffId: r.staff_id, from: r.start_date, to: r.end_date }));
}

export function retirementsBackdated(
  before: readonly StaffRow[],
  after: readonly StaffRow[],
  loadDay: string,
): MasterChanges['retirementsBackdated'] {
  const was = new Map(before.map((r) => [r.staff_id, r.retired_on]));
  return after
    .filter((r) => r.retired_on !== null && r.retired_on < loadDay && was.get(r.staff_id) !== r.retired_on)
    .map((r) => ({ staffId: r.staff_id, retiredOn: r.retired_on as string }));
}

export function accountsEnabled(
  before: readonly AccountRow[],
  after: readonly AccountRow[],
  validStates: readonly string[],
): MasterChanges['accountsEnabled'] {
  const was = new Map(before.map((r) => [key(r.system, r.account_id), r.state]));
  return after
    .filter(
      (r) =>
        validStates.includes(r.state) &&
        was.has(key(r.system, r.account_id)) &&
        !validStates.includes(was.get(key(r.system, r.account_id)) as string),
    )
    .map((r) => ({ system: r.system, accountId: r.account_id }));
}

export function assignmentsBackdated(
  before: readonly AssignmentRow[],
  after: readonly AssignmentRow[],
  loadDay: string,
): MasterChanges['assignmentsBackdated'] {
  const had = new Set(
    before.map((r) => key(r.kind, r.department_code, r.staff_id, r.household_id, r.resident_id, r.start_date, r.end_date)),
  );
  return after
    .filter(
      (r) =>
        r.start_date < loadDay &&
        !had.has(key(r.kind, r.department_code, r.staff_id, r.household_id, r.resident_id, r.start_date, r.end_date)),
    )
    .map((r) => ({ kind: r.kind, department: r.department_code, staffId: r.staff_id, from: r.start_date, to: r.end_date }));
}

/** Whether the changes include anything the 監査担当 must hear of. */
export function alarming(c: MasterChanges): boolean {
  return (
    c.watchlist.removed + c.watchlist.endedEarly > 0 ||
    c.permissionsWidened.length > 0 ||
    c.leavesBackdated.length > 0 ||
    c.retirementsBackdated.length > 0 ||
    c.accountsEnabled.length > 0 ||
    c.assignmentsBackdated.length > 0
  );
}

/** One Japanese sentence of the changes (no resident data). */
export function describeMasterChanges(c: MasterChanges): string {
  const parts: string[] = [];
  if (c.watchlist.removed) parts.push(`見守り対象（${c.watchlist.categories.join('・')}）の削除 ${c.watchlist.removed} 件`);
  if (c.watchlist.endedEarly) parts.push(`見守り対象の終了日の前倒し ${c.watchlist.endedEarly} 件`);
  if (c.permissionsWidened.length)
    parts.push(
      `権限の追加 ${c.permissionsWidened.length} 件（${c.permissionsWidened.slice(0, 5).join('、')}${c.permissionsWidened.length > 5 ? ' ほか' : ''}）`,
    );
  if (c.leavesBackdated.length) parts.push(`過去に遡る休業の登録・変更 ${c.leavesBackdated.length} 件`);
  if (c.retirementsBackdated.length) parts.push(`過去に遡る退職日の登録・変更 ${c.retirementsBackdated.length} 件`);
  if (c.accountsEnabled.length) parts.push(`アカウントの有効化 ${c.accountsEnabled.length} 件`);
  if (c.assignmentsBackdated.length) parts.push(`過去に遡る担当割当の登録・変更 ${c.assignmentsBackdated.length} 件`);
  return parts.length ? parts.join('、') : '監視対象の変更なし';
}
