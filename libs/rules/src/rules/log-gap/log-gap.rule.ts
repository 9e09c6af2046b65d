import { z } from 'zod';
import { sourceTitle } from '@kansa/domain';
import { ALL_EVENTS, defineRule } from '../../core/define-rule';
import { fmt, num } from '../../core/finding';
import { hoursParams, inLookbackDays, inWindow, lookbackParams, masterParams, secondOfDay, T, windowParams } from '../../core/sql';

const params = z
  .object({
    /** A silence this long inside business hours (hours) is a gap. */
    gapHours: z.number().min(0.5).max(24).default(3),
    /**
     * Sources expected to log every business day. Empty: every source that
     * has logged anything in the previous `seenWithinDays` days or in the
     * window, but business records (業務記録), which are checked only when listed.
     */
    sources: z.array(z.string().min(1)).default([]),
    seenWithinDays: z.number().int().min(1).max(366).default(30),
  })
  .strict();
type Params = z.infer<typeof params>;

interface Row {
  day: string;
  source: string;
  events: string;
  gaps: Array<[number, number]>;
}

function clock(sec: number): string {
  return `${String(Math.floor(sec / 3600)).padStart(2, '0')}:${String(Math.floor((sec % 3600) / 60)).padStart(2, '0')}`;
}

export default defineRule<Params, Row>({
  id: 'log-gap',
  title: 'ログの欠損',
  version: 2,
  revision: 4,
  severity: 'high',
  guideline: 'アクセスログの確実な取得・保存（ログの欠落・改ざんの検知）',
  description:
    '開庁日の勤務時間中に、あるシステムのログがまったく無い、または長時間（既定 3 時間以上）途切れているものです。' +
    'ログ転送の障害やファイルの取込漏れがないか確認し、ログを取り込み直してください。',
  // the expected sources: those seen in the previous seenWithinDays days
  explain: {
    sentence: (p, { hours }) =>
      `開庁日の勤務時間（${hours.start}〜${hours.end}）中に、あるシステムのログが1件もない、または${fmt(p.gapHours)}時間以上途切れたもの（` +
      (p.sources.length ? `対象：${p.sources.map(sourceTitle).join('・')}` : `対象：過去${p.seenWithinDays}日にログのあったシステム`) +
      '）',
    count: { of: '途切れの回数', unit: '回' },
  },
  reads: { events: ALL_EVENTS, masters: ['calendar'], lookbackDays: (p) => p.seenWithinDays },
  params,
  query: (ctx) => ({
    query: `
WITH
bdays AS (
  SELECT date FROM ${T.calendarDays}
  WHERE calendar_version = {calendar_version:UInt32} AND business_day AND date >= {fromDay:Date} AND date <= {toDay:Date}
  GROUP BY date
),
srcs AS (
  -- business records (action record) are no operation log: their source is expected only when listed
  SELECT toString(source) AS source FROM ${T.events}
  WHERE length({sources:Array(String)}) = 0 AND ${inLookbackDays()} AND action != 'record' GROUP BY source
  UNION DISTINCT
  SELECT arrayJoin({sources:Array(String)})
),
-- events inside business hours, reduced to one row per minute: [first, last] second of that minute
minutes AS (
  SELECT toString(source) AS source, day, toStartOfMinute(ts) AS m, min(${secondOfDay()}) AS lo, max(${secondOfDay()}) AS hi, count() AS n
  FROM ${T.events}
  WHERE ${inWindow()} AND day IN (SELECT date FROM bdays)
    AND ${secondOfDay()} >= {bh_plain_open:Int32} AND ${secondOfDay()} < {bh_plain_close:Int32}
  GROUP BY source, day, m
),
perday AS (SELECT source, day, arraySort(groupArray((lo, hi))) AS b, sum(n) AS events FROM minutes GROUP BY source, day)
SELECT toString(d.date) AS day, s.source AS source, p.events AS events,
  arrayZip(arrayConcat([{bh_plain_open:Int32}], arrayMap(x -> toInt32(x.2), p.b)),
           arrayConcat(arrayMap(x -> toInt32(x.1), p.b), [{bh_plain_close:Int32}])) AS spans,
  arrayFilter(g -> g.2 - g.1 >= {gap_s:Int32}, spans) AS gaps
FROM srcs s CROSS JOIN bdays d
LEFT JOIN perday p ON p.source = s.source AND p.day = d.date
WHERE length(gaps) > 0
ORDER BY day, source`,
    query_params: {
      ...windowParams(ctx),
      ...masterParams(ctx),
      ...hoursParams(ctx.hours),
      ...lookbackParams(ctx, ctx.params.seenWithinDays),
      sources: ctx.params.sources,
      gap_s: Math.round(ctx.params.gapHours * 3600),
    },
  }),
  toFinding: (row, ctx) => {
    const title = sourceTitle(row.source);
    const events = num(row.events);
    const gaps = row.gaps.map(([from, to]) => ({ from: clock(num(from)), to: clock(num(to)) }));
    const summary =
      events === 0
        ? `${title}のログが勤務時間中（${ctx.hours.start}〜${ctx.hours.end}）に1件もありません`
        : `${title}のログが途切れています（${gaps.map((g) => `${g.from}〜${g.to}`).join('、')}）`;
    return {
      day: row.day,
      userId: '',
      subject: row.source,
      count: gaps.length,
      firstAt: `${row.day} ${gaps[0].from}:00.000`,
      lastAt: `${row.day} ${gaps[gaps.length - 1].to}:00.000`,
      summary,
      details: { source: row.source, eventsInHours: events, gaps },
      evidenceIds: [],
      evidenceTotal: 0,
    };
  },
});
