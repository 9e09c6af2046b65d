import { checkMonth, monthRange } from '@kansa/calendar';
import type { MonthWindow } from '../data/report-data.repository';

/** First and last day of a 'YYYY-MM' month; throws a clear message otherwise. */
export function monthWindow(month: string): MonthWindow {
  checkMonth('--month', month);
  return monthRange(month);
}
