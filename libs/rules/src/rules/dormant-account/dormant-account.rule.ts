import { sourceTitle } from '@kansa/domain';
import { z } from 'zod';
import { ALL_EVENTS, defineRule } from '../../core/define-rule';
import { FIRST_DATA_DAY_BY_MONTH, inWindow, masterParams, T, windowParams, WINDOW_DAYS } from '../../core/sql';

const params = z
  .object({
    /** A leave that lasts, or is planned to last, this many days or more (both ends included). */
    minLeaveDays: z.number().int().min(1).default(90),
  })
  .strict();
type Params = z.infer<typeof params>;

interface Row {
  day: string;
  system: string;
  account_id: string;
  staff_id: string;
  reasons: string[];
  first_seen: string;
  last_seen: string;
  days: string;
  /** Events that enabled the account while its owner was absent (Windows 4722), in time order. */
  enabled_ids: string[];
  enabled_by: string[];
}

export default defineRule<Params, Row>({
  id: 'dormant-account',
  title: '長期不在者の有効ID',
  version: 2,
  revision: 4,
  severity: 'high',
  guideline: '利用者IDの適切な管理（長期休業者・退職者のIDの停止・削除）',
  description:
    '90日以上の休業・休職中（予定を含む）の職員、または退職した職員のアカウントが「有効」のままになっているものです。' +
    '復帰予定を確認し、アカウントを停止または削除してください（アカウントごとに月1件）。' +
    'そのようなアカウントが有効化された日（Windows 4722 など account_enable の記録）も、その日の検知として報告します。',
  // events back to the first of the month: the first day with logs dates the month's finding
  explain: {
    sentence: (p) => `${p.minLeaveDays}日以上の休業・休職中（予定を含む）または退職した職員のIDが「有効」のままのもの（IDごとに月1件）`,
    count: { of: 'ID', unit: '件' },
  },
  reads: { events: ALL_EVENTS, masters: ['staff', 'leaves', 'accounts'], lookbackDays: 30 },
  params,
  query: (ctx) => ({
    query: `
WITH
acc AS (
  SELECT toString(system) AS system, account_id, staff_id FROM ${T.accounts}
  WHERE version = {v_accounts:UInt32} AND state = '有効' AND staff_id != ''
),
absent AS (
  SELECT w.d AS d, l.staff_id AS staff_id, 'leave' AS reason,
    if(l.end_date IS NULL, l.start_date + ({min_days:UInt32} - 1), l.start_date) AS state_start
  FROM ${WINDOW_DAYS} w
  CROSS JOIN (SELECT staff_id, start_date, end_date FROM ${T.leaves}
              WHERE version = {v_leaves:UInt32} AND start_date <= {toDay:Date} AND (end_date IS NULL OR end_date >= {fromDay:Date})) l
  WHERE l.start_date <= w.d AND (l.end_date IS NULL OR assumeNotNull(l.end_date) >= w.d)
    AND dateDiff('day', l.start_date, if(l.end_date IS NULL, w.d, assumeNotNull(l.end_date))) + 1 >= {min_days:UInt32}
  UNION ALL
  SELECT w.d, s.staff_id, 'retired', if(s.retired_on IS NULL, toDate('1970-01-01'), assumeNotNull(s.retired_on) + 1)
  FROM ${WINDOW_DAYS} w
  CROSS JOIN (SELECT staff_id, retired_on FROM ${T.staff}
              WHERE version = {v_staff:UInt32} AND (retired_on IS NOT NULL OR employment_status = '退職')) s
  WHERE s.retired_on IS NULL OR assumeNotNull(s.retired_on) < w.d
),
-- accounts enabled on a day their owner is absent (whatever the master says of their state: it may lag behind)
owners AS (
  SELECT toString(a.system) AS system, lowerUTF8(a.account_id) AS account, any(a.account_id) AS account_id, any(a.staff_id) AS staff_id
  FROM ${T.accounts} a WHERE a.version = {v_accounts:UInt32} AND a.staff_id != '' GROUP BY system, account
),
enabled AS (
  SELECT e.day AS d, o.system AS system, o.account_id AS account_id, o.staff_id AS staff_id, e.ts AS ts, e.event_id AS event_id,
    toString(e.user_id) AS by
  FROM ${T.events} e
  INNER JOIN owners o ON o.system = toString(e.source) AND o.account = lowerUTF8(e.object)
  WHERE ${inWindow('e')} AND e.action = 'account_enable'
)
SELECT day, system, account_id, staff_id, groupUniqArrayArray(reasons) AS reasons, min(first_seen) AS first_seen,
  max(last_seen) AS last_seen, max(days) AS days, arrayFlatten(groupArray(enabled_ids)) AS enabled_ids,
  arrayDistinct(arrayFlatten(groupArray(enabled_by))) AS enabled_by
FROM (
  SELECT toString(greatest(toStartOfMonth(b.d), b.state_start, f.first_day)) AS day,
    a.system AS system, a.account_id AS account_id, a.staff_id AS staff_id,
    groupUniqArray(b.reason) AS reasons, toString(min(b.d)) AS first_seen, toString(max(b.d)) AS last_seen, count() AS days,
    CAST([] AS Array(String)) AS enabled_ids, CAST([] AS Array(String)) AS enabled_by
  FROM absent b
  INNER JOIN acc a ON a.staff_id = b.staff_id
  LEFT JOIN ${FIRST_DATA_DAY_BY_MONTH} f ON f.month = toStartOfMonth(b.d)
  GROUP BY day, system, account_id, staff_id
  UNION ALL
  SELECT toString(n.d) AS day, n.system AS system, n.account_id AS account_id, n.staff_id AS staff_id,
    arrayPushBack(groupUniqArray(b.reason), 'enabled') AS reasons, toString(n.d) AS first_seen, toString(n.d) AS last_seen,
    toUInt64(1) AS days, arrayMap(x -> toString(x.2), arraySort(groupArray((n.ts, n.event_id)))) AS enabled_ids,
    groupUniqArray(n.by) AS enabled_by
  FROM enabled n
  INNER JOIN absent b ON b.staff_id = n.staff_id AND b.d = n.d
  GROUP BY n.d, n.system, n.account_id, n.staff_id
)
GROUP BY day, system, account_id, staff_id
ORDER BY day, system, account_id`,
    query_params: { ...windowParams(ctx), ...masterParams(ctx), min_days: ctx.params.minLeaveDays },
  }),
  toFinding: (row, ctx) => {
    const system = sourceTitle(row.system);
    const who = row.reasons.includes('retired') ? '退職者' : `${ctx.params.minLeaveDays}日以上の休業・休職中の職員`;
    const enabled = row.enabled_ids.length > 0;
    return {
      day: row.day,
      userId: row.staff_id,
      subject: `${row.system}:${row.account_id}`,
      count: 1,
      firstAt: null,
      lastAt: null,
      summary: enabled
        ? `${who}のアカウントが有効化された（${system} ${row.account_id}、実行 ${row.enabled_by.join('・')}）`
        : `${who}のアカウントが有効のまま（${system} ${row.account_id}）`,
      details: {
        system: row.system,
        accountId: row.account_id,
        reasons: row.reasons,
        observedFrom: row.first_seen,
        observedTo: row.last_seen,
        ...(enabled ? { enabledBy: row.enabled_by } : {}),
      },
      evidenceIds: row.enabled_ids,
      evidenceTotal: row.enabled_ids.length,
    };
  },
});
