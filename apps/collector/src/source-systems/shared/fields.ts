import { JST_OFFSET_MS } from '@kansa/domain';
import { z } from 'zod';

/**
 * Field validators shared by the source-system schemas. Messages are Japanese
 * (staff read them in quarantine reasons); the field name is added by the caller.
 * Times are JST: Asia/Tokyo has had a fixed +09:00 offset since 1951, so
 * wall-clock JST converts to an instant by subtracting 9 hours.
 */

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in a month (1–12) of the proleptic Gregorian calendar; arithmetic, not a Date a line (~0.25 µs of a Windows JSON line). */
export function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : MONTH_DAYS[month - 1];
}

function wallClockMs(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number | undefined {
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return undefined;
  return Date.UTC(y, mo - 1, d, h, mi, s, ms);
}

const SLASH = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const DASH = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|([+-])(\d{2}):(\d{2}))$/;

/** Parses a JST wall-clock time `YYYY/MM/DD HH:MM:SS` (or with dashes) to epoch ms. */
export function parseJstWallClock(text: string, style: 'slash' | 'dash'): number | undefined {
  const m = (style === 'slash' ? SLASH : DASH).exec(text);
  if (!m) return undefined;
  const ms = wallClockMs(+m[1], +m[2], +m[3], +m[4], +m[5], +m[6], 0);
  return ms === undefined ? undefined : ms - JST_OFFSET_MS;
}

/** Parses ISO 8601 with an offset (required) to epoch ms; fractions beyond ms are truncated. */
export function parseIsoWithOffset(text: string): number | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  const frac = m[7] ? Number((m[7] + '00').slice(0, 3)) : 0;
  const ms = wallClockMs(+m[1], +m[2], +m[3], +m[4], +m[5], +m[6], frac);
  if (ms === undefined) return undefined;
  if (m[8] === 'Z') return ms;
  const offH = +m[10];
  const offM = +m[11];
  if (offH > 14 || offM > 59) return undefined;
  const off = (offH * 60 + offM) * 60_000;
  return m[9] === '+' ? ms - off : ms + off;
}

export const jstWallClock = (style: 'slash' | 'dash') =>
  z.string().transform((text, ctx) => {
    const ms = parseJstWallClock(text, style);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `日時が不正です (${style === 'slash' ? 'YYYY/MM/DD HH:MM:SS' : 'YYYY-MM-DD HH:MM:SS'})` });
      return z.NEVER;
    }
    return ms;
  });

export const isoWithOffset = () =>
  z.string().transform((text, ctx) => {
    const ms = parseIsoWithOffset(text);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: '日時が不正です (ISO 8601、時差付き)' });
      return z.NEVER;
    }
    return ms;
  });

export const required = () => z.string().min(1, '値がありません');
export const optionalText = () => z.string();

/** Exactly `n` digits; `optional` allows empty. */
export const digits = (n: number, optional = false) =>
  z.string().regex(optional ? new RegExp(`^(\\d{${n}})?$`) : new RegExp(`^\\d{${n}}$`), `${n}桁の数字ではありません`);

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
export const ipv4 = (optional = false) => z.string().refine((v) => (optional && v === '') || IPV4.test(v), 'IPv4アドレスではありません');

const UINT32_MAX = 4294967295;
/** A non-negative integer written in decimal (CSV text). */
export const countText = (optional = false) =>
  z.string().transform((v, ctx) => {
    if (optional && v === '') return 0;
    if (!/^\d{1,10}$/.test(v) || Number(v) > UINT32_MAX) {
      ctx.addIssue({ code: 'custom', message: '0以上の整数ではありません' });
      return z.NEVER;
    }
    return Number(v);
  });

/** One of the configured values (処理区分, 照会種別 …). */
export const oneOf = (values: readonly string[], what: string) =>
  z.string().refine((v) => values.includes(v), { message: `未知の${what}です` });
