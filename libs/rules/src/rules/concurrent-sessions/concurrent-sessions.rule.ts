import { z } from 'zod';
import { ALL_EVENTS, defineRule } from '../../core/define-rule';
import { EvidenceRow, fmt, num, span, userDayDraft } from '../../core/finding';
import { accountsParam, asUserDayRows, inWindow, staffEvents, windowParams } from '../../core/sql';

const params = z
  .object({
    /** Without a logout, activity this close together (minutes) is one session. */
    idleMinutes: z.number().int().min(1).default(30),
  })
  .strict();
type Params = z.infer<typeof params>;

interface Row extends EvidenceRow {
  terminals: string[];
  sources: string[];
  overlaps: string;
}

export default defineRule<Params, Row>({
  id: 'concurrent-sessions',
  title: '同一IDの同時利用',
  version: 2,
  severity: 'medium',
  guideline: '利用者IDの共用の禁止（同じIDが複数の端末で同時に使われていることの検知）',
  description:
    '同じIDで、同じシステムに2台以上の端末から同時に利用していたものです（ログイン〜ログアウト、またはログアウトがなければ 30 分以内に続く操作を1つの利用とみなします）。' +
    'IDの貸し借りやログアウト忘れがないか確認してください。',
  explain: {
    sentence: (p) =>
      `同じIDが同じシステムで2台以上の端末から同時に使われていたもの（ログアウトがなければ${p.idleMinutes}分以内に続く操作を1回の利用とみなす）`,
    count: { of: '重なった利用の操作件数', unit: '件' },
  },
  reads: { events: ALL_EVENTS, masters: ['accounts'], lookbackDays: 0 },
  params,
  query: (ctx) => ({
    query: asUserDayRows(`
WITH
cand AS (
  SELECT source, user_id FROM ${staffEvents(`${inWindow()} AND terminal_id != '' AND action != 'login_failure'`)}
  GROUP BY source, user_id HAVING uniqExact(terminal_id) >= 2
),
ev AS (
  SELECT toString(source) AS source, toString(user_id) AS user_id, toString(terminal_id) AS terminal_id, event_id, ts, day,
    toString(action) AS action, toUnixTimestamp64Milli(ts) AS ms
  FROM ${staffEvents(`${inWindow()} AND terminal_id != '' AND action != 'login_failure'`)}
  WHERE (source, user_id) IN (SELECT source, user_id FROM cand)
),
marks AS (
  SELECT *,
    lagInFrame(ms, 1, toInt64(0)) OVER w AS prev_ms,
    lagInFrame(action, 1, '') OVER w AS prev_action,
    lagInFrame(day, 1, toDate('1970-01-01')) OVER w AS prev_day,
    max(if(action = 'login', ms, toInt64(0))) OVER before AS last_login,
    max(if(action = 'logout', ms, toInt64(0))) OVER before AS last_logout
  FROM ev
  WINDOW w AS (PARTITION BY source, user_id, terminal_id ORDER BY ms, event_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
    before AS (PARTITION BY source, user_id, terminal_id ORDER BY ms, event_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
),
starts AS (
  -- a session starts at a login, after a logout, on a new day, or after an idle gap outside a login…logout
  SELECT *, toUInt8(prev_ms = 0 OR action = 'login' OR prev_action = 'logout' OR day != prev_day
    OR (ms - prev_ms > {idle_ms:Int64} AND NOT last_login > last_logout)) AS is_start
  FROM marks
),
sessions AS (
  SELECT source, user_id, terminal_id, sid, min(ts) AS s_from, max(ts) AS s_to,
    groupArraySorted(${1000})((ts, event_id)) AS ids
  FROM (SELECT *, sum(is_start) OVER (PARTITION BY source, user_id, terminal_id ORDER BY ms, event_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS sid FROM starts)
  GROUP BY source, user_id, terminal_id, sid
),
pairs AS (
  SELECT a.source AS source, a.user_id AS user_id, a.terminal_id AS t1, b.terminal_id AS t2,
    greatest(a.s_from, b.s_from) AS o_from, least(a.s_to, b.s_to) AS o_to, arrayConcat(a.ids, b.ids) AS ids
  FROM sessions a INNER JOIN sessions b ON a.source = b.source AND a.user_id = b.user_id
  WHERE a.terminal_id < b.terminal_id AND a.s_from <= b.s_to AND b.s_from <= a.s_to
)
SELECT toDate(o_from, 'Asia/Tokyo') AS day, user_id, groupUniqArray(20)(source) AS sources,
  arraySort(arrayDistinct(arrayFlatten(groupArray([t1, t2])))) AS terminals, count() AS overlaps,
  arraySlice(arraySort(arrayDistinct(arrayFlatten(groupArray(ids)))), 1, ${1000}) AS ev_sorted,
  arrayMap(x -> toString(x.2), ev_sorted) AS evidence_ids,
  length(arrayDistinct(arrayFlatten(groupArray(ids)))) AS evidence_total,
  toString(min(o_from)) AS first_at, toString(max(o_to)) AS last_at
FROM pairs
GROUP BY day, user_id`).replace('SELECT * REPLACE', 'SELECT * EXCEPT (ev_sorted) REPLACE'),
    query_params: { ...windowParams(ctx), ...accountsParam(ctx), idle_ms: ctx.params.idleMinutes * 60_000 },
  }),
  toFinding: (row) =>
    userDayDraft(row, `同じIDで端末 ${row.terminals.join('・')} を同時に利用（${span(row.first_at, row.last_at)}）`, {
      terminals: row.terminals,
      sources: row.sources,
      overlaps: num(row.overlaps),
      events: fmt(num(row.evidence_total)),
    }),
});
