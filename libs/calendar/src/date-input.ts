import { isValidDay } from './business-calendar';

/**
 * Days and months typed by people — API query parameters and command-line
 * flags — checked in one place: a real calendar date written YYYY-MM-DD (or a
 * month YYYY-MM). `2026-02-30`, `9999-99-99` or `2026-13-45` are refused with
 * the parameter and the value, never passed on to a query (where ClickHouse
 * would read them as some other day and a filter would silently match all).
 */
export type DateInputKind = 'day' | 'month';

const EXPECTED: Record<DateInputKind, string> = { day: 'YYYY-MM-DD', month: 'YYYY-MM' };
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** A day, month or period given by a person that is not one. */
export class DateInputError extends Error {
  constructor(
    readonly param: string,
    readonly value: string,
    problem: string,
  ) {
    super(`${param}: ${problem}`);
  }
}

/** Why `value` is not a day (or month), for callers that name the field themselves (a zod schema); undefined when it is. */
export function dateInputProblem(value: string, kind: DateInputKind = 'day'): string | undefined {
  const ok = kind === 'day' ? isValidDay(value) : MONTH.test(value) && Number(value.slice(0, 4)) > 0;
  return ok ? undefined : `"${value}" is not a date ${EXPECTED[kind]} (日付の形式が不正です)`;
}

/** Why a period is reversed, or undefined. */
export function dateRangeProblem(from: string, toParam: string, to: string): string | undefined {
  return from > to ? `${from} is after ${toParam} ${to} (期間の指定が逆です)` : undefined;
}

/** Throws DateInputError naming `param` unless `value` is a real calendar day YYYY-MM-DD (undefined passes: the parameter was not given). */
export function checkDay(param: string, value: string | undefined): void {
  if (value === undefined) return;
  const problem = dateInputProblem(value, 'day');
  if (problem) throw new DateInputError(param, value, problem);
}

/** Throws DateInputError naming `param` unless `value` is a month YYYY-MM. */
export function checkMonth(param: string, value: string): void {
  const problem = dateInputProblem(value, 'month');
  if (problem) throw new DateInputError(param, value, problem);
}

/** Checks both ends of a period (either may be absent) and that it is not reversed. */
export function checkDayRange(fromParam: string, from: string | undefined, toParam: string, to: string | undefined): void {
  checkDay(fromParam, from);
  checkDay(toParam, to);
  const reversed = from !== undefined && to !== undefined ? dateRangeProblem(from, toParam, to) : undefined;
  if (reversed) throw new DateInputError(fromParam, from!, reversed);
}
