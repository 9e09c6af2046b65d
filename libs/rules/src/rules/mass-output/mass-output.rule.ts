import { z } from 'zod';
import { ALL_EVENTS, defineRule } from '../../core/define-rule';
import { EvidenceRow, fmt, num, userDayDraft } from '../../core/finding';
import { evidence, inLookback, inLookbackDays, inWindowDays, lookbackParams, T, windowParams } from '../../core/sql';

const OUTPUT_ACTIONS = ['print', 'export', 'bulk_export'];

const params = z
  .object({
    /** Absolute threshold: records output by one user in one day. */
    threshold: z.number().int().min(1).default(1000),
    /** … or this many times the user's 95th-percentile daily output … */
    factor: z.number().min(1).default(10),
    /** … over the previous days … */
    lookbackDays: z.number().int().min(7).max(366).default(90),
    /** … when the user had at least this many active (output) days in them … */
    minActiveDays: z.number().int().min(1).default(10),
    /** … and at least this many records. */
    minimum: z.number().int().min(1).default(200),
  })
  .strict();
type Params = z.infer<typeof params>;

interface Row extends EvidenceRow {
  total: string;
  active_days: string;
  p95: number;
  by_threshold: number;
}

export default defineRule<Params, Row>({
  id: 'mass-output',
  title: '大量出力',
  version: 2,
  revision: 5,
  severity: 'high',
  guideline: '特定個人情報の大量出力・持出しの検知（帳票出力・CSV出力・一括出力の記録の分析）',
  description:
    '1日に帳票・CSV・一括出力した件数が基準（既定 1,000 件）以上、または本人のふだんの出力量（過去 90 日の 95 パーセンタイル）の 10 倍以上かつ 200 件以上だったものです。' +
    '出力の目的・出力物の管理（保管・廃棄）を所属に確認してください。',
  // the baseline: the user's daily output on the previous lookbackDays days
  explain: {
    sentence: (p) =>
      `1日に帳票・CSV出力（一括出力を含む）が${fmt(p.threshold)}件以上、または本人の過去${p.lookbackDays}日の95パーセンタイルの${fmt(p.factor)}倍以上（${fmt(p.minimum)}件以上）。` +
      `比較は過去の出力日が${p.minActiveDays}日以上ある職員のみ`,
    count: { of: '出力件数', unit: '件' },
  },
  // the baseline is the user's last lookbackDays days: without them only the fixed threshold judges
  history: {
    days: (p) => p.lookbackDays,
    perSource: false,
    without: { partial: (p) => `本人のふだんの出力量との比較はできず、1日${fmt(p.threshold)}件以上の基準のみで判定` },
  },
  reads: { events: ALL_EVENTS, masters: [], lookbackDays: (p) => p.lookbackDays },
  params,
  // The daily totals (look-back included) are a lean sum over the few columns
  // they need; the evidence arrays are built only for the days that pass.
  query: (ctx) => ({
    query: `
WITH daily AS (
  -- by day alone: the events' day_user projection (migration 181) gives the totals without reading the rows; only
  -- for the users with a day in the window that could be reported (the window's totals first: a few days of the
  -- projection), as no other user can give a finding
  SELECT day, user_id, sum(record_count) AS total
  FROM ${T.events}
  WHERE ${inLookbackDays()} AND action IN {outputs:Array(String)}
    AND user_id IN (
      SELECT user_id FROM ${T.events}
      WHERE ${inWindowDays()} AND action IN {outputs:Array(String)}
      GROUP BY day, user_id HAVING sum(record_count) >= least({threshold:UInt64}, {minimum:UInt64})
    )
  GROUP BY day, user_id
),
-- each user's days in one list (the daily totals computed once here, not once for the day and once for its past);
-- each day of the window that could be reported judged against the days before
hits AS (
  SELECT d.1 AS day, user_id, d.2 AS total,
    arrayMap(x -> x.2, arrayFilter(x -> x.1 >= d.1 - {lookbackDays:UInt32} AND x.1 < d.1, hist)) AS prev,
    length(prev) AS active_days,
    if(active_days > 0, arrayReduce('quantileExact(0.95)', prev), 0) AS p95,
    d.2 >= {threshold:UInt64} AS by_threshold
  FROM (
    SELECT user_id, groupArray((day, total)) AS hist FROM daily GROUP BY user_id
  )
  ARRAY JOIN hist AS d
  WHERE d.1 >= {fromDay:Date} AND d.2 >= least({threshold:UInt64}, {minimum:UInt64})
    AND (by_threshold OR (active_days >= {minActiveDays:UInt32} AND d.2 >= {factor:Float64} * p95 AND d.2 >= {minimum:UInt64}))
)
SELECT toString(x.day) AS day, toString(x.user_id) AS user_id, x.total AS total,
  e.evidence_ids AS evidence_ids, e.evidence_total AS evidence_total, e.first_at AS first_at, e.last_at AS last_at,
  x.active_days AS active_days, x.p95 AS p95, x.by_threshold AS by_threshold
FROM hits x
INNER JOIN (
  SELECT day, user_id, ${evidence()}
  FROM ${T.events}
  WHERE ${inLookback()} AND day >= {fromDay:Date} AND action IN {outputs:Array(String)}
    AND (day, user_id) IN (SELECT day, user_id FROM hits)
  GROUP BY day, user_id
) e ON e.day = x.day AND e.user_id = x.user_id
ORDER BY day, user_id`,
    query_params: {
      ...windowParams(ctx),
      ...lookbackParams(ctx, ctx.params.lookbackDays),
      outputs: OUTPUT_ACTIONS,
      threshold: ctx.params.threshold,
      factor: ctx.params.factor,
      lookbackDays: ctx.params.lookbackDays,
      minActiveDays: ctx.params.minActiveDays,
      minimum: ctx.params.minimum,
    },
  }),
  toFinding: (row, ctx) => {
    const total = num(row.total);
    const byThreshold = Number(row.by_threshold) === 1 || (row.by_threshold as unknown) === true;
    const basis = byThreshold
      ? `基準 ${fmt(ctx.params.threshold)} 件以上`
      : `ふだん（95パーセンタイル ${fmt(Math.round(num(row.p95)))} 件）の ${fmt(Math.floor(total / Math.max(num(row.p95), 1)))} 倍`;
    const draft = userDayDraft(row, `帳票・CSV・一括出力 計 ${fmt(total)} 件（${basis}）`, {
      records: total,
      activeDays: num(row.active_days),
      p95: num(row.p95),
      basis: byThreshold ? 'threshold' : 'baseline',
    });
    return { ...draft, count: total };
  },
});
