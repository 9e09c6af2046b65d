/**
 * Japanese era (和暦) dates beside Western dates, for the report. Input is a
 * civil JST date 'YYYY-MM-DD' (or month 'YYYY-MM'); the era comes from ICU's
 * Japanese calendar, so 令和 and any later era are named by the runtime.
 */
const ERA_FORMAT = new Intl.DateTimeFormat('ja-JP-u-ca-japanese', {
  era: 'long',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  timeZone: 'UTC',
});

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH = /^(\d{4})-(\d{2})$/;

function parts(day: string): { era: string; year: string; month: string; day: string } {
  const m = DAY.exec(day);
  if (!m) throw new Error(`not a date (YYYY-MM-DD): "${day}"`);
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  const out: Record<string, string> = {};
  for (const p of ERA_FORMAT.formatToParts(date)) out[p.type] = p.value;
  // 元年: the first year of an era is written 元年 in official documents.
  return { era: out.era, year: out.year === '1' ? '元' : out.year, month: out.month, day: out.day };
}

/** 令和 — the era of a day (for the blank dates of the approval boxes). */
export function eraName(day: string): string {
  return parts(day).era;
}

/** 令和7年4月1日 */
export function eraDate(day: string): string {
  const p = parts(day);
  return `${p.era}${p.year}年${p.month}月${p.day}日`;
}

/** 令和7年4月 (the era of the month's first day). */
export function eraMonth(month: string): string {
  const m = MONTH.exec(month);
  if (!m) throw new Error(`not a month (YYYY-MM): "${month}"`);
  const p = parts(`${month}-01`);
  return `${p.era}${p.year}年${p.month}月`;
}

/** 2025年4月1日 */
export function westernDate(day: string): string {
  const m = DAY.exec(day);
  if (!m) throw new Error(`not a date (YYYY-MM-DD): "${day}"`);
  return `${Number(m[1])}年${Number(m[2])}月${Number(m[3])}日`;
}

/** 令和7年4月1日（2025年4月1日） */
export function dualDate(day: string): string {
  return `${eraDate(day)}（${westernDate(day)}）`;
}

/** 令和7年4月（2025年4月） */
export function dualMonth(month: string): string {
  const [y, m] = month.split('-');
  return `${eraMonth(month)}（${Number(y)}年${Number(m)}月）`;
}

const WEEKDAYS = ['日', '月', '火', '水', '木', '金', '土'];

/** Weekday letter of a civil date: 月, 火, … */
export function weekdayJa(day: string): string {
  const m = DAY.exec(day);
  if (!m) throw new Error(`not a date (YYYY-MM-DD): "${day}"`);
  return WEEKDAYS[new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).getUTCDay()];
}
