import { ACTIONS, NON_ACCESS_ACTIONS } from '@kansa/domain';
import { eventDays } from '@kansa/storage/event-partitions';
import { TABLES } from '@kansa/storage/tables';
import { addDays } from '@kansa/calendar';
import type { BusinessHours } from '@kansa/config';
import { MAX_EVIDENCE, RuleContext } from './define-rule';

/**
 * Shared SQL fragments and query parameters. Every value reaches ClickHouse as
 * a `{name:Type}` parameter; only table names (constants) and code constants
 * are written into the text.
 */

/** Access events (spec/rules.md): every action except logout and login_failure. */
export const ACCESS_ACTIONS: readonly string[] = ACTIONS.filter((a) => !NON_ACCESS_ACTIONS.includes(a));

export const T = TABLES;

/** Far-future date standing for "open-ended" (ClickHouse Date's maximum). */
export const OPEN_END = "toDate('2149-06-06')";

/**
 * Events in the window (whole JST days) by their day: an event's day is the
 * JST day of its time (the table's default), so a range of `ts` selects the
 * same rows, but the engine read `ts` for every row of the window to test
 * it (60 ms against 10 for a selective filter on a 6.5 M-event day). The
 * month of `ts`, the partition key, still lets the engine skip other months'
 * parts without reading the column.
 */
export function inWindow(alias = ''): string {
  return inDays(alias, 'fromDay');
}

/** Events from `lookFromDay` (a look-back start) to the window's end, as inWindow. */
export function inLookback(alias = ''): string {
  return inDays(alias, 'lookFromDay');
}

type FromDay = 'fromDay' | 'lookFromDay';

/** `alias.` before a column, or nothing without an alias. */
function columnPrefix(alias: string): string {
  return alias ? `${alias}.` : '';
}

function inDays(alias: string, from: FromDay): string {
  const p = columnPrefix(alias);
  return `toYYYYMM(${p}ts) >= toYYYYMM({${from}:Date}) AND toYYYYMM(${p}ts) <= toYYYYMM({toDay:Date}) AND ${dayRange(alias, from)}`;
}

/** The days from the `from` parameter to the window's last, by `day` alone. */
function dayRange(alias: string, from: FromDay): string {
  const p = columnPrefix(alias);
  return `${p}day >= {${from}:Date} AND ${p}day <= {toDay:Date}`;
}

/**
 * Events from `lookFromDay` to the window's end by their day alone: the same
 * rows as inLookback (an event's day is the JST day of its time). The events'
 * aggregate projections (day_state, day_user: migrations 180, 181) keep no
 * time, so only a query filtered this way can be answered from them instead
 * of reading the rows of a long look-back. The months are named by their
 * partitions (libs/storage `eventDays`), which the projections allow,
 * so that the other months kept are not opened.
 */
export function inLookbackDays(alias = ''): string {
  return eventDays('{lookFromDay:Date}', '{toDay:Date}', alias);
}

/**
 * The window's events by their day alone, as inLookbackDays: for a query the
 * events' aggregate projections answer.
 */
export function inWindowDays(alias = ''): string {
  return eventDays('{fromDay:Date}', '{toDay:Date}', alias);
}

/**
 * The (source, day) pairs with events among those `where` selects, with
 * their count: the shape the day_state projection (migration 180) answers
 * without reading the rows. `where` may test the source, the day and the partition only.
 */
export function sourceDays(where: string): string {
  return `(SELECT source, day, count() AS events FROM ${T.events} WHERE ${where} GROUP BY source, day)`;
}

export function windowParams(ctx: RuleContext<unknown>): Record<string, unknown> {
  return { fromDay: ctx.fromDay, toDay: ctx.toDay };
}

/**
 * Parameters of a look-back of `days` whole days before the window — or,
 * with `fromMonthStart`, before the first day of the window's month (so that
 * every day of a month sees the same past, however the month is split into runs).
 */
export function lookbackParams(ctx: RuleContext<unknown>, days: number, fromMonthStart = false): Record<string, unknown> {
  const start = fromMonthStart ? `${ctx.fromDay.slice(0, 8)}01` : ctx.fromDay;
  const lookFromDay = addDays(start, -days);
  return { lookFromDay };
}

/** Master versions as parameters v_staff, v_leaves, … (each master filtered by its version). */
export function masterParams(ctx: RuleContext<unknown>): Record<string, unknown> {
  const m = ctx.masters;
  return {
    v_staff: m.staff,
    v_leaves: m.leaves,
    v_accounts: m.accounts,
    v_overtime: m.overtime,
    v_watchlist: m.watchlist,
    v_permissions: m.permissions,
    v_residents: m.residents,
    v_assignments: m.assignments,
    calendar_version: ctx.calendarVersion,
  };
}

/**
 * Accounts whose ID is not the staff ID (a Windows logon name: windows/tanaka.t →
 * K000123), from the accounts master in force, as a scalar ([system/account], [staff]);
 * account IDs compared without regard to case, as Windows compares them.
 */
const ACCOUNT_STAFF = `(SELECT (groupArray(concat(toString(system), '/', lowerUTF8(account_id))), groupArray(staff_id))
  FROM ${T.accounts} WHERE version = {v_accounts:UInt32} AND staff_id != '' AND account_id != staff_id)`;

/**
 * The person behind an event's user: the staff ID the accounts master gives
 * the (source, account), or the user ID itself (spec/sources.md: a staff ID
 * is the same across the systems). Needs the v_accounts parameter.
 */
export function staffIdOf(alias = ''): string {
  const p = columnPrefix(alias);
  return `transform(concat(toString(${p}source), '/', lowerUTF8(toString(${p}user_id))), tupleElement(${ACCOUNT_STAFF}, 1), tupleElement(${ACCOUNT_STAFF}, 2), toString(${p}user_id))`;
}

/**
 * Events matching `where`, their user_id the staff ID (staffIdOf): what a
 * rule that means the person reads, so that a Windows account and the staff
 * ID of the other systems are one user without a rule knowing Windows.
 */
export function staffEvents(where: string): string {
  return mappedToStaff(`${T.events} WHERE ${where}`);
}

/**
 * staffEvents() of some accounts only: `accounts` selects (source, user ID as
 * recorded) pairs, matched before the mapping (in staffEvents' `where`,
 * `user_id` already names the staff ID), so that only their events are mapped.
 */
export function staffEventsOfAccounts(where: string, accounts: string): string {
  return mappedToStaff(`(SELECT * FROM ${T.events} WHERE ${where} AND (source, user_id) IN (${accounts}))`);
}

function mappedToStaff(from: string): string {
  return `(SELECT * REPLACE (${staffIdOf()} AS user_id) FROM ${from})`;
}

/** The accounts master's version, for staffEvents() in rules that read no other master. */
export function accountsParam(ctx: RuleContext<unknown>): Record<string, unknown> {
  return { v_accounts: ctx.masters.accounts };
}

/** Staff master of the version in force: staff_id → department and resident numbers. */
export const STAFF = `(SELECT staff_id, department_code, employment_status, retired_on, resident_id, household_id
  FROM ${T.staff} WHERE version = {v_staff:UInt32})`;

/** Residents link (宛名番号 ↔ 統合宛名番号 ↔ 世帯番号) of the version in force. */
export const RESIDENTS = `(SELECT resident_id, integrated_id, household_id FROM ${T.residents} WHERE version = {v_residents:UInt32})`;

/** Business days of the prepared calendar. */
export const BUSINESS_DAYS = `(SELECT date FROM ${T.calendarDays} WHERE calendar_version = {calendar_version:UInt32} AND business_day)`;

/**
 * The department an event counts under: the one the source system recorded,
 * else the staff master's (中間サーバー and 端末 logs carry none). Needs
 * `LEFT JOIN ${'STAFF'} s ON s.staff_id = e.user_id`.
 */
export const EVENT_DEPARTMENT = "if(e.department_code != '', toString(e.department_code), s.department_code)";

/** JST second of the day of `ts` (the column is stored in Asia/Tokyo). */
export function secondOfDay(col = 'ts'): string {
  return `(toHour(${col}) * 3600 + toMinute(${col}) * 60 + toSecond(${col}))`;
}

/** Evidence: the first MAX_EVIDENCE event IDs in time order, and how many in all. */
export function evidence(alias = ''): string {
  const p = columnPrefix(alias);
  return (
    `arrayMap(x -> toString(x.2), groupArraySorted(${MAX_EVIDENCE})((${p}ts, ${p}event_id))) AS evidence_ids, ` +
    `count() AS evidence_total, toString(min(${p}ts)) AS first_at, toString(max(${p}ts)) AS last_at`
  );
}

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

/**
 * Business hours as parameters, in seconds of the day, grace included, the
 * window [open, close) as in @kansa/calendar's businessWindow:
 * bh_open/bh_close (default), bh_dept_codes/bh_dept_open/bh_dept_close
 * (per-department overrides) and bh_band_open/bh_band_close (the band inside
 * every department's hours, for a cheap first filter).
 */
export function hoursParams(hours: BusinessHours): Record<string, unknown> {
  const before = hours.graceBeforeMinutes * 60;
  const after = hours.graceAfterMinutes * 60;
  const open = minutes(hours.start) * 60 - before;
  const close = minutes(hours.end) * 60 + after;
  const codes = Object.keys(hours.departments).sort();
  const deptOpen = codes.map((c) => minutes(hours.departments[c].start) * 60 - before);
  const deptClose = codes.map((c) => minutes(hours.departments[c].end) * 60 + after);
  return {
    bh_open: open,
    bh_close: close,
    bh_dept_codes: codes,
    bh_dept_open: deptOpen,
    bh_dept_close: deptClose,
    bh_band_open: Math.max(open, ...deptOpen),
    bh_band_close: Math.min(close, ...deptClose),
    // plain hours (no grace) of the default schedule, for log-gap
    bh_plain_open: minutes(hours.start) * 60,
    bh_plain_close: minutes(hours.end) * 60,
  };
}

/** Opening second (grace included) for the department expression `dept`. */
export function deptOpen(dept: string): string {
  return `arrayElement(arrayConcat([{bh_open:Int32}], {bh_dept_open:Array(Int32)}), indexOf({bh_dept_codes:Array(String)}, ${dept}) + 1)`;
}

export function deptClose(dept: string): string {
  return `arrayElement(arrayConcat([{bh_close:Int32}], {bh_dept_close:Array(Int32)}), indexOf({bh_dept_codes:Array(String)}, ${dept}) + 1)`;
}

/**
 * First day with any event in each month touched by the window: state-based
 * rules (dormant-account, unused-account) report a state once per month, on
 * the later of that day and the day the state began, so that analysing a
 * month day by day or all at once gives the same finding.
 */
export const FIRST_DATA_DAY_BY_MONTH = `(SELECT toStartOfMonth(day) AS month, min(day) AS first_day
  FROM ${sourceDays(eventDays('toStartOfMonth({fromDay:Date})', '{toDay:Date}'))} GROUP BY month)`;

/** Every day of the window as rows `d` (for rules about a state on each day). */
export const WINDOW_DAYS = `(SELECT arrayJoin(arrayMap(i -> {fromDay:Date} + i, range(toUInt32(dateDiff('day', {fromDay:Date}, {toDay:Date}) + 1)))) AS d)`;

/**
 * Wraps an aggregate over (day, user_id) so that both come out as text
 * without the aliases shadowing the columns inside the query.
 */
export function asUserDayRows(inner: string): string {
  return `SELECT * REPLACE (toString(day) AS day, toString(user_id) AS user_id) FROM (${inner}) ORDER BY day, user_id`;
}
