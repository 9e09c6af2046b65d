import { addDays, checkMonth } from '@kansa/calendar';
import type { MonthWindow } from '../data/report-data.repository';

/** First and last day of a 'YYYY-MM' month; throws a clear message otherwise. */
export function monthWindow(month: string): MonthWindow {
  checkMonth('--month', month);
  const [year, mon] = month.split('-').map(Number);
  const next = mon === 12 ? `${year + 1}-01-01` : `${month.slice(0, 4)}-${String(mon + 1).padStart(2, '0')}-01`;
  return { from: `${month}-01`, to: addDays(next, -1) };
}
