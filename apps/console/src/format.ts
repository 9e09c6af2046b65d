import { formatCount } from '../../../libs/domain/src/counts';
import { eraDate, eraMonth, weekdayJa } from './labels';

/** A JST timestamp as kansa writes it ('YYYY-MM-DD HH:mm:ss.SSS') to the second. */
export function time(ts: string | null | undefined): string {
  return ts ? ts.slice(0, 19) : '';
}

/** A day with its weekday: 2025-04-14 (月). */
export function day(d: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(d) ? `${d} (${weekdayJa(d)})` : d;
}

/** A day in 和暦 as the report writes it: 令和7年4月14日. */
export function era(d: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(d) ? eraDate(d) : d;
}

/** A month: 令和7年4月 (2025-04). */
export function month(m: string): string {
  return /^\d{4}-\d{2}$/.test(m) ? `${eraMonth(m)} (${m})` : m;
}

/** A count with thousands separators, as the report and the command line write it. */
export { formatCount as count };

/**
 * A rule parameter as staff read it: text as it is (a device ID's backslashes not doubled), a list joined by 、,
 * numbers with separators, yes/no in words; anything else as JSON.
 */
export function paramValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatCount(v);
  if (typeof v === 'boolean') return v ? 'はい' : 'いいえ';
  if (Array.isArray(v) && v.every((x) => typeof x !== 'object' || x === null)) return v.length ? v.map(paramValue).join('、') : '（なし）';
  return JSON.stringify(v);
}

/** Today in JST (YYYY-MM-DD), whatever the browser's zone. */
export function todayJst(): string {
  return new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
}

export function bytes(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`;
}
