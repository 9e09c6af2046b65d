import { addDays } from './business-calendar';

/**
 * Calendar months 'YYYY-MM' (JST dates as text: no time zone involved). The
 * one place month arithmetic is done: the report, the demo, casework and the
 * analysis's month-by-month catch-up use it.
 */
const index = (month: string): number => {
  const [y, m] = month.split('-').map(Number);
  return y * 12 + (m - 1);
};
const monthAt = (k: number): string => `${Math.floor(k / 12)}-${String((k % 12) + 1).padStart(2, '0')}`;

/** The month `n` months after `month` (before it when n < 0). */
export function addMonths(month: string, n: number): string {
  return monthAt(index(month) + n);
}

/** The month before the one a day (or a month) is in: '2025-05-03' → '2025-04'. */
export function previousMonth(day: string): string {
  return addMonths(day.slice(0, 7), -1);
}

/** The `n` months ending with `month`, oldest first. */
export function monthsEnding(month: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => addMonths(month, i - (n - 1)));
}

/** The first and last day of a month. */
export function monthRange(month: string): { from: string; to: string } {
  return { from: `${month}-01`, to: addDays(`${addMonths(month, 1)}-01`, -1) };
}
