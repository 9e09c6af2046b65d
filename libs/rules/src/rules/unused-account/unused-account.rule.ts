import { sourceTitle } from '@kansa/domain';
import { eventDays } from '@kansa/storage/event-partitions';
import { z } from 'zod';
import { ALL_EVENTS, defineRule } from '../../core/define-rule';
import {
  FIRST_DATA_DAY_BY_MONTH,
  inLookbackDays,
  lookbackParams,
  masterParams,
  sourceDays,
  T,
  windowParams,
  WINDOW_DAYS,
} from '../../core/sql';

const params = z
  .object({
    /** Not used for this many days or more. */
    days: z.number().int().min(7).max(366).default(90),
  })
  .strict();
type Params = z.infer<typeof params>;

interface Row {
  day: string;
  system: string;
  account_id: string;
  staff_id: string;
  last_used: string;
}

/** Extra look-back so that "the logs reach back far enough" can be told. */
const COVERAGE_MARGIN_DAYS = 10;

export default defineRule<Params, Row>({
  id: 'unused-account',
  title: '長期未使用ID',
  version: 3,
  revision: 4,
  severity: 'low',
  guideline: '利用者IDの棚卸し（長期間使われていない有効なIDの見直し）',
  description:
    '「有効」なのに 90 日以上使われていない（ログインも操作もない）アカウントです（アカウントごとに月1件）。' +
    '不要なIDは停止・削除し、必要なIDは理由を記録してください。',
  // the use of each account and how far back each system's logs reach, from the first of the month
  explain: {
    sentence: (p) => `「有効」なIDが${p.days}日以上使われていない（ログインも操作もない）もの（IDごとに月1件）`,
    count: { of: 'ID', unit: '件' },
  },
  // an ID's use is judged from its own system's logs: they must reach back the whole period
  history: { days: (p) => p.days, perSource: true, without: 'withheld' },
  reads: { events: ALL_EVENTS, masters: ['accounts'], lookbackDays: (p) => p.days + COVERAGE_MARGIN_DAYS + 30 },
  params,
  query: (ctx) => ({
    query: `
WITH
acc AS (
  SELECT toString(system) AS system, account_id, lowerUTF8(account_id) AS account_key, staff_id,
    ifNull(state_changed_on, toDate('1970-01-01')) AS since
  FROM ${T.accounts} WHERE version = {v_accounts:UInt32} AND state = '有効'
),
-- the accounts used on a day of [toDay - days + 1, fromDay], per system: on every day of the window their last use
-- falls within the parameter days, so none of them can be reported. Distinct (source, user) pairs alone, which the
-- events' day_user projection gives by hashing a few keys; account IDs compared without regard to case (a Windows
-- logon name as typed: Tanaka.T is tanaka.t), lower-cased after the pairs are taken
recent AS (
  SELECT toString(source) AS system, lowerUTF8(toString(user_id)) AS account_key FROM (
    SELECT source, user_id FROM ${T.events}
    WHERE ${eventDays('{toDay:Date} - {days:UInt32} + 1', '{fromDay:Date}')} AND action != 'login_failure'
    GROUP BY source, user_id
  )
),
-- the days of use outside that span (before it, and in the window after its first day): for the other accounts
-- (those not in recent, left out below by a join: a set built from a subquery would be planned apart) every day of
-- use in the look-back. The (source, day, user) triples are taken first, by day alone, so that the day_user
-- projection gives them without reading the rows (in its own order: aggregation in order, below)
used AS (
  SELECT toString(source) AS system, lowerUTF8(toString(user_id)) AS account_key, groupArray(day) AS days FROM (
    SELECT source, day, user_id FROM ${T.events}
    WHERE ${inLookbackDays()} AND (day < {toDay:Date} - {days:UInt32} + 1 OR day > {fromDay:Date})
      AND action != 'login_failure'
    GROUP BY source, day, user_id
  ) GROUP BY system, account_key
),
-- first day with logs of each system in the look-back: the logs must reach back the whole period (day_state)
coverage AS (
  SELECT toString(source) AS system, min(day) AS first_day FROM ${sourceDays(inLookbackDays())} GROUP BY source
),
state AS (
  SELECT w.d AS d, a.system AS system, a.account_id AS account_id, a.staff_id AS staff_id,
    arrayMax(arrayConcat([a.since], arrayFilter(x -> x <= w.d, u.days))) AS ref,
    arrayMax(arrayConcat([toDate('1970-01-01')], arrayFilter(x -> x <= w.d, u.days))) AS last_used
  FROM ${WINDOW_DAYS} w
  CROSS JOIN (SELECT a.* FROM acc a LEFT ANTI JOIN recent r ON r.system = a.system AND r.account_key = a.account_key) a
  LEFT JOIN used u ON u.system = a.system AND u.account_key = a.account_key
  INNER JOIN coverage c ON c.system = a.system
  WHERE c.first_day <= w.d - {days:UInt32} AND dateDiff('day', ref, w.d) >= {days:UInt32}
)
SELECT toString(greatest(toStartOfMonth(s.d), s.ref + {days:UInt32}, f.first_day)) AS day,
  s.system AS system, s.account_id AS account_id, any(s.staff_id) AS staff_id,
  if(max(s.last_used) = toDate('1970-01-01'), '', toString(max(s.last_used))) AS last_used
FROM state s
LEFT JOIN ${FIRST_DATA_DAY_BY_MONTH} f ON f.month = toStartOfMonth(s.d)
GROUP BY day, system, account_id
ORDER BY day, system, account_id
SETTINGS optimize_aggregation_in_order = 1`,
    query_params: {
      ...windowParams(ctx),
      ...masterParams(ctx),
      ...lookbackParams(ctx, ctx.params.days + COVERAGE_MARGIN_DAYS, true),
      days: ctx.params.days,
    },
  }),
  toFinding: (row, ctx) => {
    const system = sourceTitle(row.system);
    const last = row.last_used ? `最終利用 ${row.last_used}` : `${ctx.params.days}日以上利用なし`;
    return {
      day: row.day,
      userId: row.staff_id,
      subject: `${row.system}:${row.account_id}`,
      count: 1,
      firstAt: null,
      lastAt: null,
      summary: `${ctx.params.days}日以上使われていない有効なアカウント（${system} ${row.account_id}、${last}）`,
      details: { system: row.system, accountId: row.account_id, lastUsed: row.last_used || null },
      evidenceIds: [],
      evidenceTotal: 0,
    };
  },
});
