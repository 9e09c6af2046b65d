import { addDays, buildCalendarDays, CalendarDay, CalendarOverride, dayOfWeek } from '@kansa/calendar/business-calendar';
import { HOUR, MIN, SEC, ActivityContext, pickResident } from './demo-activity';
import type { WindowsLogClear } from './demo-windows';
import type { DemoEvent } from './demo-formats';
import { DemoRecord, IntakeBook } from './demo-intake';
import { DEPARTMENTS, DemoResidents, DemoStaff, integratedNo, residentNo } from './demo-organisation';
import { Random } from './demo-random';
import { buildResidentDetails, neighbours, ResidentDetails } from './demo-residents';

/** One line of expected-findings.json (same shape as the shared samples). */
export interface ManifestEntry {
  rule: string;
  day: string;
  userId: string;
  subject: string;
  note: string;
}

export interface LeaveRow { staffId: string; type: string; start: string; end: string }
export interface OvertimeRow { staffId: string; date: string; start: string; end: string; approver: string }
export interface WatchlistRow { category: string; resident: number; byResidentNo: boolean; byIntegratedNo: boolean; start: string; end: string; departments: string[] }
export interface ExtraAccount { system: string; staffId: string }

/**
 * Planted look-ups no business record, assignment or other log explains
 * (misuse): what `kansa demo` and the benchmark measure the explanations
 * against — every one must end up unexplained or flagged. Subjects as the
 * log records them (宛名番号 on 住民記録, 統合宛名番号 on 統合宛名).
 */
export interface PlantedMisuse { day: string; userId: string; subjects: string[]; note: string }

/**
 * A planned, legitimate outlier the city approved in advance (例外承認): the
 * demo registers it before the analysis, so the finding it would otherwise
 * raise is stored as 例外適用 with the reference.
 */
export interface PlannedException {
  rule: string;
  userIds: string[];
  validFrom: string;
  validTo: string;
  days: string[];
  maxCount: number;
  reason: string;
  reference: string;
  requestedBy: string;
  approvedBy: string;
}

/** Everything planted on top of ordinary work, and the masters that go with it. */
export interface DemoScenario {
  month: string;
  calendar: CalendarDay[];
  /** The months before `month` (ordinary work only, plain national calendar): the history a real deployment already holds. */
  historyCalendar: CalendarDay[];
  overrides: CalendarOverride[];
  /** Days with ordinary work (business days, the 開庁 day included). */
  workDays: Set<string>;
  openDay: string;
  /** The 開庁 day's roster (staff indexes). */
  openDayRoster: Set<number>;
  chukanSilentDay: string;
  leaves: LeaveRow[];
  overtime: OvertimeRow[];
  watchlist: WatchlistRow[];
  extraAccounts: ExtraAccount[];
  /** Staff whose accounts are 削除 (retired long ago, cleaned up). */
  deletedAccounts: Set<string>;
  /** Planted events per day, sorted by time. */
  events: Map<string, DemoEvent[]>;
  /** 住所コード and 除票 of the residents. */
  details: ResidentDetails;
  /** The business records and assignments that explain ordinary work. */
  book: IntakeBook;
  /** Residents ordinary work never touches. */
  reserved: Uint8Array;
  misuse: PlantedMisuse[];
  expected: ManifestEntry[];
  decoys: ManifestEntry[];
  planned: PlannedException[];
  /** The watchlist without one entry nobody touched this month: what an administrator hiding misuse would load (the demo's tamper alert). */
  tamperedWatchlist: WatchlistRow[];
  approvedDevice: string;
  /** The planted clear of a terminal's Security log (Windows 1102). */
  windowsLogClear: WindowsLogClear;
  /** Whether a staff member does ordinary work on a day (not on leave, not yet retired). */
  works(staff: DemoStaff, day: string): boolean;
}

export const APPROVED_DEVICE = 'USB\\VID_0930&PID_6545\\A1B2C3D4E5F6';
const UNAPPROVED_DEVICE = 'USB\\VID_0781&PID_5583\\4C530001';

function lastDayOfMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return addDays(`${m === 12 ? y + 1 : y}-${String(m === 12 ? 1 : m + 1).padStart(2, '0')}-01`, -1);
}

/** The first day of the month `n` months before the month of `first` (a YYYY-MM-01). */
function monthsBefore(first: string, n: number): string {
  const [y, m] = first.split('-').map(Number);
  const k = y * 12 + (m - 1) - n;
  return `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}-01`;
}

const hm = (h: number, m: number, s = 0) => h * HOUR + m * MIN + s * SEC;

/**
 * Plans the month: calendar, planted incidents with their decoys, the master
 * rows they need; and `historyMonths` months of history before it (ordinary
 * work and the habitual exporter's daily output, nothing planted).
 */
export function planScenario(seed: string, month: string, staff: DemoStaff[], residents: DemoResidents, historyMonths = 0, scale = 1): DemoScenario {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new Error(`month must be YYYY-MM: "${month}"`);
  if (staff.length < 40) throw new Error(`the demo needs at least 40 staff to plant every incident (got ${staff.length})`);
  const rng = Random.derive(seed, 'scenario', month);
  const first = `${month}-01`;
  const last = lastDayOfMonth(month);

  const plain = buildCalendarDays(first, last, []);
  const sundays = plain.filter((d) => dayOfWeek(d.date) === 0 && d.date.slice(5) < '12-29');
  const openDay = sundays[sundays.length - 1].date;
  const overrides: CalendarOverride[] = [{ date: openDay, kind: '開庁', note: '休日開庁（住民異動の繁忙期対応）' }];
  const calendar = buildCalendarDays(first, last, overrides);
  const business = calendar.filter((d) => d.businessDay && d.date !== openDay).map((d) => d.date);
  const n = business.length;
  const bd = (i: number) => business[(i + n) % n];
  const holiday =
    plain.find((d) => !d.businessDay && dayOfWeek(d.date) >= 1 && dayOfWeek(d.date) <= 5 && d.label !== '年末年始')?.date ??
    plain.find((d) => dayOfWeek(d.date) === 6)!.date;

  // Staff for each role: distinct, never a 中間サーバー operator, chosen per department.
  const used = new Set<number>();
  const take = (dept: string, need: (s: DemoStaff) => boolean = () => true): DemoStaff => {
    const candidates = staff.filter((s) => s.dept.code === dept && !s.chukanTerminal && !used.has(s.index) && need(s));
    const s = candidates.length ? candidates[rng.int(0, Math.min(candidates.length, 5) - 1)] : anyUnused();
    used.add(s.index);
    return s;
  };
  /** A staff member no planted case uses yet (住民記録 users first), or a clear refusal when the city is too small. */
  const anyUnused = (): DemoStaff => {
    const free = staff.filter((x) => !x.chukanTerminal && !used.has(x.index));
    const s = free.find((x) => x.dept.jumin) ?? free[0];
    if (!s) throw new Error(`the demo city's ${staff.length} staff are too few for its planted cases (職員数が少なすぎます)`);
    return s;
  };
  const movedNextToNeighbours = (s: DemoStaff) => {
    const members = (k: number) => Array.from({ length: residents.householdSize[k] }, (_, i) => residents.householdStart[k] + i);
    const free = (k: number) => !staffHouseholds.has(k) && members(k).every((i) => !protectedResidents.has(i));
    const h = residents.householdStart.findIndex((_, k) => {
      const next = neighbours(details, residents, k);
      return free(k) && next.length > 0 && next.every((i) => !protectedResidents.has(i) && !staffHouseholds.has(residents.household[i]));
    });
    if (h < 0) throw new Error('no two households of the demo city share an address (同一住所の世帯がありません)');
    s.residentIndex = residents.householdStart[h];
    return s;
  };
  const withHousehold = (s: DemoStaff, size: number) => {
    if (s.residentIndex >= 0 && residents.householdSize[residents.household[s.residentIndex]] >= size) return s;
    for (let h = rng.int(0, residents.householdStart.length - 1); ; h = (h + 1) % residents.householdStart.length) {
      if (residents.householdSize[h] >= size) {
        s.residentIndex = residents.householdStart[h];
        return s;
      }
    }
  };

  const roles = {
    night: take('100300'),
    holiday: take('100200'),
    massOutput: take('100300'),
    habitual: take('100300'),
    massLookup: take('100100'),
    lookupDecoy: take('100700'),
    parental: take('100400'),
    sick: take('100700'),
    retired: take('100100'),
    leave89: take('100300'),
    loginFail: take('100700'),
    loginFailDecoy: take('100200'),
    watchJumin: take('100300'),
    watchAtena: take('100400'),
    watchDecoy: take('100100'),
    selfOwn: withHousehold(take('100100'), 1),
    selfHousehold: withHousehold(take('100700'), 2),
    concurrent: take('100100'),
    usbBad: take('100600'),
    usbApproved: take('100600'),
    unauthorized: take('100500'),
    missingReason: take('100100'),
    unused: take('100600'),
    overtimeEvening: take('100200'),
    overtimeMidnight: take('100300'),
    oldRetired1: take('100700'),
    oldRetired2: take('100200'),
    taxPrint: take('100300'),
    curious: take('100700'),
    deceasedViewer: take('100300'),
  };

  // Residents on the watchlist: never touched by ordinary work.
  const staffHouseholds = new Set(staff.filter((s) => s.residentIndex >= 0).map((s) => residents.household[s.residentIndex]));
  const protectedResidents = new Set<number>();
  const protect = () => {
    for (;;) {
      const i = rng.int(0, residents.count - 1);
      if (!staffHouseholds.has(residents.household[i]) && !protectedResidents.has(i)) {
        protectedResidents.add(i);
        return i;
      }
    }
  };
  const dv1 = protect();
  const watchlist: WatchlistRow[] = [
    { category: 'DV等支援措置', resident: dv1, byResidentNo: true, byIntegratedNo: false, start: addDays(first, -200), end: '', departments: ['100100', '100500'] },
    { category: 'DV等支援措置', resident: protect(), byResidentNo: true, byIntegratedNo: true, start: addDays(first, -60), end: '', departments: ['100100'] },
    { category: '著名人', resident: protect(), byResidentNo: false, byIntegratedNo: true, start: addDays(first, -400), end: '', departments: ['100100', '100300'] },
    { category: '職員', resident: protect(), byResidentNo: true, byIntegratedNo: true, start: addDays(first, -300), end: '', departments: ['100600'] },
    { category: 'DV等支援措置', resident: protect(), byResidentNo: true, byIntegratedNo: true, start: addDays(first, -500), end: addDays(first, -100), departments: ['100100'] },
  ];

  // Who ordinary work never touches: the watchlist, staff households and their neighbours (same 住所コード), 除票,
  // and a pool of quiet residents for the planted look-ups (so that no business record explains them by chance).
  const details = buildResidentDetails(seed, residents, month);
  const reserved = new Uint8Array(residents.count);
  for (const i of protectedResidents) reserved[i] = 1;
  for (const h of staffHouseholds) {
    for (let k = 0; k < residents.householdSize[h]; k++) reserved[residents.householdStart[h] + k] = 1;
    for (const i of neighbours(details, residents, h)) reserved[i] = 1;
  }
  for (let i = 0; i < residents.count; i++) if (details.movement[i] !== 0) reserved[i] = 1;
  const quietPool: number[] = [];
  while (quietPool.length < 400) {
    const i = rng.int(0, residents.count - 1);
    if (reserved[i]) continue;
    reserved[i] = 1;
    quietPool.push(i);
  }
  const quiet = () => quietPool.pop()!;
  const book = new IntakeBook({ seed, staff, residents, reserved, scale, overrides, openDay });
  const ctx: ActivityContext = { residents, reserved, book };

  const absent = new Map<string, Array<[string, string]>>();
  const leaves: LeaveRow[] = [];
  const leave = (s: DemoStaff, type: string, start: string, end: string) => {
    leaves.push({ staffId: s.id, type, start, end });
    absent.set(s.id, [...(absent.get(s.id) ?? []), [start, end || '9999-12-31']]);
  };
  leave(roles.parental, '育児休業', addDays(first, -150), '');
  const sickDay = bd(10);
  leave(roles.sick, '病気休暇', addDays(sickDay, -5), addDays(sickDay, 8));
  leave(roles.leave89, '病気休暇', addDays(first, -20), addDays(first, -20 + 88));
  // Some ordinary, short leaves.
  for (let k = 0; k < Math.max(2, Math.floor(staff.length / 60)); k++) {
    const s = staff[rng.int(0, staff.length - 1)];
    if (used.has(s.index) || s.chukanTerminal) continue;
    const start = bd(rng.int(0, n - 3));
    leave(s, rng.pick(['年次休暇', '病気休暇', '特別休暇']), start, addDays(start, rng.int(0, 3)));
  }
  roles.retired.status = '退職';
  roles.retired.retiredOn = addDays(first, -1);
  roles.oldRetired1.status = '退職';
  roles.oldRetired1.retiredOn = addDays(first, -400);
  roles.oldRetired2.status = '退職';
  roles.oldRetired2.retiredOn = addDays(first, -35);

  const overtime: OvertimeRow[] = [
    { staffId: roles.overtimeEvening.id, date: bd(5), start: '17:15', end: '20:30', approver: '保険年金課長' },
    { staffId: roles.overtimeMidnight.id, date: bd(9), start: '21:00', end: '01:00', approver: '市民税課長' },
  ];
  for (let k = 0; k < 4; k++) overtime.push({ staffId: staff[k * 3 + 1].id, date: bd(k * 4), start: '17:15', end: `${18 + k}:00`, approver: `${staff[k * 3 + 1].dept.name}長` });

  const openDayRoster = new Set(staff.filter((s, i) => (s.dept.code === '100100' && i % 2 === 0) || s.chukanTerminal === 'CHK-TERM-01').map((s) => s.index));
  for (const r of Object.values(roles)) openDayRoster.delete(r.index);
  // someone of 市民課 on the roster (in a small city perhaps nobody is left: then anyone on it)
  const openDayWorker =
    staff.find((s) => openDayRoster.has(s.index) && s.dept.code === '100100') ?? staff.find((s) => openDayRoster.has(s.index) && !s.chukanTerminal) ?? anyUnused();

  // Planted events.
  const events = new Map<string, DemoEvent[]>();
  const put = (day: string, e: DemoEvent) => {
    let d = day;
    let t = e.t;
    while (t >= 24 * HOUR) {
      t -= 24 * HOUR;
      d = addDays(d, 1);
    }
    if (d > last) return;
    const list = events.get(d) ?? [];
    list.push({ ...e, t });
    events.set(d, list);
  };
  /** A short jumin session on the staff member's own terminal: logon, login, search, views, logout. */
  const session = (s: DemoStaff, day: string, start: number, views: number[], reason: string, terminalToo = true) => {
    let t = start;
    if (terminalToo) put(day, { t, source: 'terminal', staff: s, op: 'ログオン' });
    put(day, { t: (t += 90 * SEC), source: 'jumin', staff: s, op: 'ログイン' });
    put(day, { t: (t += 60 * SEC), source: 'jumin', staff: s, op: '検索', count: 3 });
    for (const r of views) put(day, { t: (t += 2 * MIN), source: 'jumin', staff: s, op: '照会', subject: residentNo(r), reason, count: 1 });
    put(day, { t: (t += 5 * MIN), source: 'jumin', staff: s, op: 'ログアウト' });
    if (terminalToo) put(day, { t: t + 2 * MIN, source: 'terminal', staff: s, op: 'ログオフ' });
  };
  /** A resident the staff member's department has a business record of, around `day` (an ordinary, explained look-up). */
  const recorded = (s: DemoStaff, day: string) => {
    const r = book.recorded(rng, s.dept, day, false);
    return r >= 0 ? r : pickResident(ctx, rng);
  };
  const misuse: PlantedMisuse[] = [];
  /** Quiet residents for a planted look-up nothing explains, listed as misuse. */
  const unexplained = (s: DemoStaff, day: string, n: number, note: string, byIntegrated = false) => {
    const list = Array.from({ length: n }, () => quiet());
    misuse.push({ day, userId: s.id, subjects: list.map((r) => (byIntegrated ? integratedNo(r) : residentNo(r))), note });
    return list;
  };
  const misused = (s: DemoStaff, day: string, subject: string, note: string) => misuse.push({ day, userId: s.id, subjects: [subject], note });
  let receipts = 0;
  /** A planted business record of a department. */
  const record = (day: string, time: number, dept: string, resident: number, kind: string) => {
    const d = DEPARTMENTS.find((x) => x.code === dept)!;
    const r: DemoRecord = { date: day, time, dept: d, resident, kind, code: '', receipt: `P${day.replace(/-/g, '')}-${String(++receipts).padStart(3, '0')}`, byResidentNo: true, byIntegratedNo: true };
    put(day, { t: time, source: 'records', record: r });
  };
  const expected: ManifestEntry[] = [];
  const decoys: ManifestEntry[] = [];
  const expect = (rule: string, day: string, s: DemoStaff | null, note: string, subject = '') => expected.push({ rule, day, userId: s?.id ?? '', subject, note });
  const decoy = (rule: string, day: string, s: DemoStaff, note: string) => decoys.push({ rule, day, userId: s.id, subject: '', note });

  // off-hours: a weekday night, and a holiday.
  session(roles.night, bd(3), hm(21, 38), unexplained(roles.night, bd(3), 2, 'views at night, no record'), '申告内容の確認');
  expect('off-hours', bd(3), roles.night, 'weekday 21:38–21:55');
  session(roles.holiday, holiday, hm(10, 12), [recorded(roles.holiday, holiday)], '国民健康保険の資格確認');
  expect('off-hours', holiday, roles.holiday, `non-business day (${plain.find((d) => d.date === holiday)!.label})`);

  // mass-output: one bulk export of 1,200 residents.
  put(bd(8), { t: hm(14, 5), source: 'jumin', staff: roles.massOutput, op: '一括出力', count: 1200, reason: '課税資料の一括作成' });
  expect('mass-output', bd(8), roles.massOutput, 'bulk export of 1200 records');
  // decoy: a habitual exporter, ~150 a day, 600 once (under 1000 and under 10× the usual).
  for (let i = 0; i < n; i++) {
    const count = i === n - 4 ? 600 : rng.int(120, 180);
    put(bd(i), { t: hm(16, 0) + rng.int(0, 20 * MIN), source: 'jumin', staff: roles.habitual, op: 'CSV出力', count, reason: '納税通知書の発送準備' });
  }
  decoy('mass-output', bd(n - 4), roles.habitual, '600 records: habitual exporter (~150/day), under threshold');
  // A planned one: the 納税通知書 print run, approved in advance (例外承認); still found, stored as 例外適用.
  const printDay = bd(12);
  put(printDay, { t: hm(9, 30), source: 'jumin', staff: roles.taxPrint, op: '一括出力', count: 4800, reason: '個人住民税 納税通知書の一括印刷' });
  expect('mass-output', printDay, roles.taxPrint, 'planned print run of 4800 notices: covered by an approved exception (例外適用)');
  const planned: PlannedException[] = [
    {
      rule: 'mass-output',
      userIds: [roles.taxPrint.id],
      validFrom: first,
      validTo: last,
      days: [printDay],
      maxCount: 5000,
      reason: '個人住民税 納税通知書の一括印刷（年1回の定例業務）',
      reference: `市民税課 決裁第${month.replace('-', '')}-018号`,
      requestedBy: '市民税課長',
      approvedBy: '情報政策課長',
    },
  ];
  // History: own random stream, so the month itself is the same with or without it.
  const historyFirst = monthsBefore(first, historyMonths);
  const historyCalendar = historyMonths > 0 ? buildCalendarDays(historyFirst, addDays(first, -1), []) : [];
  const hrng = Random.derive(seed, 'history', month);
  for (const d of historyCalendar) {
    if (!d.businessDay) continue;
    const list = events.get(d.date) ?? [];
    list.push({ t: hm(16, 0) + hrng.int(0, 20 * MIN), source: 'jumin', staff: roles.habitual, op: 'CSV出力', count: hrng.int(120, 180), reason: '納税通知書の発送準備' });
    events.set(d.date, list);
  }

  // mass-lookup: 320 distinct residents in a day; decoy 250.
  const lookups = (s: DemoStaff, day: string, distinct: number, reason: string, pick: () => number) => {
    const seen = new Set<number>();
    let t = hm(9, 10);
    const step = Math.floor((hm(16, 40) - t) / distinct);
    while (seen.size < distinct) {
      const r = pick();
      if (seen.has(r)) continue;
      seen.add(r);
      if (seen.size % 10 === 1) put(day, { t: (t += 5 * SEC), source: 'jumin', staff: s, op: '検索', count: 10 });
      put(day, { t: (t += step), source: 'jumin', staff: s, op: '照会', subject: residentNo(r), reason, count: 1 });
    }
  };
  const curiousMany = unexplained(roles.massLookup, bd(n - 1), 320, '320 residents without a record');
  lookups(roles.massLookup, bd(n - 1), 320, '住所変更の受付', () => curiousMany.pop()!);
  expect('unexplained-access', bd(n - 1), roles.massLookup, '320 residents viewed, none with a business record');
  expect('mass-lookup', bd(n - 1), roles.massLookup, '320 distinct residents viewed');
  lookups(roles.lookupDecoy, bd(n - 3), 250, '滞納整理', () => recorded(roles.lookupDecoy, bd(n - 3)));
  decoy('mass-lookup', bd(n - 3), roles.lookupDecoy, 'about 260 distinct residents (under 300)');
  decoy('unexplained-access', bd(n - 3), roles.lookupDecoy, '250 residents, each with a 納税課 business record');

  // dormant-account and absentee-activity.
  expect('dormant-account', '', roles.parental, `育児休業 since ${addDays(first, -150)}, accounts 有効`);
  expect('dormant-account', '', roles.retired, `retired ${roles.retired.retiredOn}, accounts 有効`);
  decoy('dormant-account', '', roles.leave89, '89-day 病気休暇 (under 90 days)');
  session(roles.sick, sickDay, hm(10, 0), unexplained(roles.sick, sickDay, 1, 'a view under the ID of a member on sick leave'), '滞納整理');
  expect('absentee-activity', sickDay, roles.sick, 'activity during 病気休暇');
  session(roles.retired, bd(1), hm(9, 10), unexplained(roles.retired, bd(1), 1, 'a view under a retired member\'s ID'), '窓口での本人確認');
  expect('absentee-activity', bd(1), roles.retired, `retired ${roles.retired.retiredOn}, still active`);

  // login-failures: 7 in 4 minutes; decoy 3.
  for (let k = 0; k < 7; k++) put(bd(2), { t: hm(10, 0) + k * 35 * SEC, source: 'jumin', staff: roles.loginFail, op: 'ログイン失敗', failed: true });
  put(bd(2), { t: hm(10, 5), source: 'jumin', staff: roles.loginFail, op: 'ログイン' });
  expect('login-failures', bd(2), roles.loginFail, '7 failures in 4 minutes');
  for (let k = 0; k < 3; k++) put(bd(2), { t: hm(10, 30) + k * 40 * SEC, source: 'jumin', staff: roles.loginFailDecoy, op: 'ログイン失敗', failed: true });
  put(bd(2), { t: hm(10, 33), source: 'jumin', staff: roles.loginFailDecoy, op: 'ログイン' });
  decoy('login-failures', bd(2), roles.loginFailDecoy, '3 failures');

  // watchlist-access: by 宛名番号 on jumin, and by 統合宛名番号 on atena (entry listed by 宛名番号 only).
  put(bd(7), { t: hm(11, 20), source: 'jumin', staff: roles.watchJumin, op: '照会', subject: residentNo(dv1), reason: '扶養状況の確認', count: 1 });
  expect('watchlist-access', bd(7), roles.watchJumin, 'DV target viewed by 市民税課 (not a handling department)');
  misused(roles.watchJumin, bd(7), residentNo(dv1), 'DV target, no record');
  expect('unexplained-access', bd(7), roles.watchJumin, 'watchlist resident, no business record (flagged)');
  put(bd(7), { t: hm(14, 40), source: 'atena', staff: roles.watchAtena, op: '宛名照会', code: 'F03', subject: integratedNo(dv1), count: 1 });
  expect('watchlist-access', bd(7), roles.watchAtena, 'DV target by 統合宛名番号 (listed by 宛名番号; residents.csv links them)');
  misused(roles.watchAtena, bd(7), integratedNo(dv1), 'DV target by 統合宛名番号, no record');
  expect('unexplained-access', bd(7), roles.watchAtena, 'watchlist resident by 統合宛名番号, no business record (flagged)');
  put(bd(7), { t: hm(10, 15), source: 'jumin', staff: roles.watchDecoy, op: '照会', subject: residentNo(dv1), reason: '支援措置の申出対応', count: 1 });
  decoy('watchlist-access', bd(7), roles.watchDecoy, 'handling department (市民課)');
  record(bd(7), hm(9, 50), '100100', dv1, '相談受付');
  decoy('unexplained-access', bd(7), roles.watchDecoy, 'watchlist resident viewed by the handling department, with its business record (相談受付)');

  // self-lookup: own record, and a member of the own household.
  put(bd(11), { t: hm(13, 35), source: 'jumin', staff: roles.selfOwn, op: '照会', subject: residentNo(roles.selfOwn.residentIndex), reason: '住所確認', count: 1 });
  expect('self-lookup', bd(11), roles.selfOwn, 'own record');
  misused(roles.selfOwn, bd(11), residentNo(roles.selfOwn.residentIndex), 'own record');
  expect('unexplained-access', bd(11), roles.selfOwn, 'own record, no business record (flagged)');
  const h = residents.household[roles.selfHousehold.residentIndex];
  const member = residents.householdStart[h] === roles.selfHousehold.residentIndex ? residents.householdStart[h] + 1 : residents.householdStart[h];
  put(bd(11), { t: hm(15, 2), source: 'jumin', staff: roles.selfHousehold, op: '照会', subject: residentNo(member), reason: '納税相談', count: 1 });
  expect('self-lookup', bd(11), roles.selfHousehold, 'member of the own household');
  misused(roles.selfHousehold, bd(11), residentNo(member), 'own household');
  expect('unexplained-access', bd(11), roles.selfHousehold, 'own household, no business record (flagged)');

  // unexplained-access: ten residents looked up without a record; a neighbour (same 住所コード); a resident who died.
  const curiousDay = bd(13);
  unexplained(roles.curious, curiousDay, 10, '10 residents without a record').forEach((r, k) => {
    put(curiousDay, { t: hm(10, 0) + k * 35 * MIN, source: 'jumin', staff: roles.curious, op: '検索', count: 2 });
    put(curiousDay, { t: hm(10, 1) + k * 35 * MIN, source: 'jumin', staff: roles.curious, op: '照会', subject: residentNo(r), reason: '滞納整理', count: 1 });
  });
  expect('unexplained-access', curiousDay, roles.curious, '10 residents viewed without any business record');
  const hasNeighbours = (h: number) => neighbours(details, residents, h).length > 0;
  const neighbourOf =
    staff.find((x) => !used.has(x.index) && !x.chukanTerminal && x.dept.jumin && x.residentIndex >= 0 && hasNeighbours(residents.household[x.residentIndex])) ??
    // a small city may have no such staff member: one moves into a household that shares its 住所コード
    movedNextToNeighbours(anyUnused());
  used.add(neighbourOf.index);
  const neighbour = neighbours(details, residents, residents.household[neighbourOf.residentIndex])[0];
  put(bd(14), { t: hm(15, 20), source: 'jumin', staff: neighbourOf, op: '照会', subject: residentNo(neighbour), reason: '窓口での本人確認', count: 1 });
  misused(neighbourOf, bd(14), residentNo(neighbour), 'a resident of the own address (another household)');
  expect('unexplained-access', bd(14), neighbourOf, 'a resident at the own 住所コード, no business record (flagged)');
  const removedBefore = (kind: number) => [...details.movedOn.keys()].find((i) => details.movement[i] === kind && details.movedOn.get(i)! < bd(15));
  const deceased = removedBefore(2) ?? removedBefore(1)!;
  put(bd(15), { t: hm(11, 5), source: 'jumin', staff: roles.deceasedViewer, op: '照会', subject: residentNo(deceased), reason: '扶養状況の確認', count: 1 });
  misused(roles.deceasedViewer, bd(15), residentNo(deceased), 'a resident who died before (除票)');
  expect('unexplained-access', bd(15), roles.deceasedViewer, 'a 除票 resident (死亡 or 転出 before the day), no business record (flagged)');

  // concurrent-sessions: a second terminal while the own session is open.
  const other = staff.find((s) => s.dept.code === '100100' && s.index !== roles.concurrent.index)!;
  const cday = bd(n - 2);
  put(cday, { t: hm(14, 0), source: 'jumin', staff: roles.concurrent, op: 'ログイン', terminal: other.terminal, ip: other.ip });
  for (let k = 0; k < 3; k++) put(cday, { t: hm(14, 3 + k * 5), source: 'jumin', staff: roles.concurrent, op: '照会', subject: residentNo(recorded(roles.concurrent, cday)), reason: '転入届の受付', count: 1, terminal: other.terminal, ip: other.ip });
  put(cday, { t: hm(14, 25), source: 'jumin', staff: roles.concurrent, op: 'ログアウト', terminal: other.terminal, ip: other.ip });
  expect('concurrent-sessions', cday, roles.concurrent, `second terminal ${other.terminal} while logged in on ${roles.concurrent.terminal}`);

  // external-media: an unapproved USB stick; decoy: the approved one.
  const uday = bd(n - 1);
  put(uday, { t: hm(15, 0), source: 'terminal', staff: roles.usbBad, op: 'USB接続', device: UNAPPROVED_DEVICE });
  put(uday, { t: hm(15, 2), source: 'terminal', staff: roles.usbBad, op: 'ファイル書出し', detail: 'リムーバブルディスクへ書出し', device: UNAPPROVED_DEVICE, file: 'E:\\抽出\\対象者一覧.xlsx', size: 482113 });
  expect('external-media', uday, roles.usbBad, `write to unapproved ${UNAPPROVED_DEVICE}`);
  put(bd(n - 2), { t: hm(11, 0), source: 'terminal', staff: roles.usbApproved, op: 'USB接続', device: APPROVED_DEVICE });
  put(bd(n - 2), { t: hm(11, 1), source: 'terminal', staff: roles.usbApproved, op: 'ファイル書出し', detail: 'リムーバブルディスクへ書出し', device: APPROVED_DEVICE, file: 'E:\\提出\\統計資料.xlsx', size: 120331 });
  decoy('external-media', bd(n - 2), roles.usbApproved, `approved device ${APPROVED_DEVICE}`);

  // audit-log-cleared: the Security log of a terminal cleared at lunchtime (Windows 1102).
  const windowsLogClear = { day: bd(9), t: hm(12, 30), staff: roles.usbApproved };
  expect('audit-log-cleared', bd(9), roles.usbApproved, 'Security log of the own terminal cleared (1102)', `terminal:${roles.usbApproved.terminal}`);

  // unauthorized-use: 生活福祉課 using 個人住民税 (Z01) on 統合宛名.
  put(uday, { t: hm(10, 40), source: 'atena', staff: roles.unauthorized, op: '宛名照会', code: 'Z01', subject: integratedNo(unexplained(roles.unauthorized, uday, 1, 'Z01 look-up outside the own business', true)[0]), count: 1 });
  expect('unauthorized-use', uday, roles.unauthorized, '生活福祉課 using Z01 (個人住民税) on atena');

  // missing-reason: three views without a reason.
  for (let k = 0; k < 3; k++) put(bd(4), { t: hm(11, k * 5), source: 'jumin', staff: roles.missingReason, op: '照会', subject: residentNo(recorded(roles.missingReason, bd(4))), reason: '', count: 1 });
  expect('missing-reason', bd(4), roles.missingReason, '3 views without a reason');

  // log-gap: the 中間サーバー log is missing for a whole business day.
  const chukanSilentDay = bd(6);
  expect('log-gap', chukanSilentDay, null, 'no chukan logs all day', 'chukan');

  // unused-account: a 中間サーバー account kept 有効 for someone who never uses it.
  expect('unused-account', '', roles.unused, 'chukan account 有効 since 2024-04-01, never used', '');

  // Decoys for off-hours: approved overtime (evening; past midnight), the 開庁 Sunday.
  session(roles.overtimeEvening, bd(5), hm(18, 30), [recorded(roles.overtimeEvening, bd(5)), recorded(roles.overtimeEvening, bd(5))], '高額療養費の審査');
  put(bd(5), { t: hm(20, 5), source: 'jumin', staff: roles.overtimeEvening, op: '照会', subject: residentNo(recorded(roles.overtimeEvening, bd(5))), reason: '高額療養費の審査', count: 1 });
  decoy('off-hours', bd(5), roles.overtimeEvening, 'approved overtime 17:15–20:30');
  session(roles.overtimeMidnight, bd(9), hm(23, 30), [recorded(roles.overtimeMidnight, bd(9)), recorded(roles.overtimeMidnight, bd(9)), recorded(roles.overtimeMidnight, bd(9))], '個人住民税の賦課');
  put(bd(9), { t: hm(24, 35), source: 'jumin', staff: roles.overtimeMidnight, op: '照会', subject: residentNo(recorded(roles.overtimeMidnight, addDays(bd(9), 1))), reason: '個人住民税の賦課', count: 1 });
  decoy('off-hours', bd(9), roles.overtimeMidnight, 'approved overtime 21:00–01:00');
  if (addDays(bd(9), 1) <= last) decoy('off-hours', addDays(bd(9), 1), roles.overtimeMidnight, 'after midnight, inside overtime 21:00–01:00 of the day before');
  decoy('off-hours', openDay, openDayWorker, 'extra open day (calendar.csv 開庁)');

  for (const list of events.values()) list.sort((a, b) => a.t - b.t);

  const workDays = new Set([...business, openDay]);
  const retiredOn = new Map(staff.filter((s) => s.status === '退職').map((s) => [s.id, s.retiredOn]));
  return {
    month,
    calendar,
    historyCalendar,
    overrides,
    workDays,
    openDay,
    openDayRoster,
    chukanSilentDay,
    leaves,
    overtime,
    watchlist,
    extraAccounts: [{ system: 'chukan', staffId: roles.unused.id }],
    deletedAccounts: new Set([roles.oldRetired1.id, roles.oldRetired2.id]),
    events,
    details,
    book,
    reserved,
    misuse,
    expected,
    decoys,
    planned,
    // The second DV entry: no planted event touches it, so removing it changes no finding of the month.
    tamperedWatchlist: watchlist.filter((_, i) => i !== 1),
    approvedDevice: APPROVED_DEVICE,
    windowsLogClear,
    works(s: DemoStaff, day: string) {
      const retired = retiredOn.get(s.id);
      if (retired !== undefined && (!retired || day > retired)) return false;
      if (day === openDay && !openDayRoster.has(s.index)) return false;
      const spans = absent.get(s.id);
      return !spans || !spans.some(([a, b]) => day >= a && day <= b);
    },
  };
}
