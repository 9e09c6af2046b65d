import { z } from 'zod';
import { ALL_EVENTS, defineRule } from '../../core/define-rule';
import { EvidenceRow, fmt, num, span, userDayDraft } from '../../core/finding';
import { accountsParam, asUserDayRows, inWindow, staffEventsOfAccounts, staffIdOf, T, windowParams } from '../../core/sql';

/** Events that place a user at a terminal: every event in the window with a terminal but a failed login. */
const USED = `${inWindow()} AND terminal_id != '' AND action != 'login_failure'`;

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
  revision: 2,
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
-- (source, terminal) pairs of each account as recorded, grouped by the account alone (one LowCardinality key: the
-- engine's fastest grouping, three times faster than by source and account); the person behind an account
-- (staffIdOf) looked up once per account, not once per event
used AS (
  SELECT user_id AS account, arrayJoin(groupUniqArray((source, terminal_id))) AS used_at
  FROM ${T.events} WHERE ${USED} GROUP BY account
),
-- the accounts of a person seen on two or more terminals of a source
cand AS (
  SELECT source, arrayJoin(accounts) AS account FROM (
    SELECT source, person, groupUniqArray(user_id) AS accounts
    FROM (SELECT used_at.1 AS source, account AS user_id, ${staffIdOf()} AS person, used_at.2 AS terminal_id FROM used)
    GROUP BY source, person HAVING uniqExact(terminal_id) >= 2
  )
),
ev AS (
  SELECT toString(source) AS source, toString(user_id) AS user_id, toString(terminal_id) AS terminal_id, event_id, ts, day,
    toString(action) AS action, toUnixTimestamp64Milli(ts) AS ms
  FROM ${staffEventsOfAccounts(USED, 'SELECT source, account FROM cand')}
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
  SELECT source, user_id, terminal_id, sid, any(day) AS s_day, min(ts) AS s_from, max(ts) AS s_to,
    groupArraySorted(${1000})((ts, event_id)) AS ids
  FROM (SELECT *, sum(is_start) OVER (PARTITION BY source, user_id, terminal_id ORDER BY ms, event_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS sid FROM starts)
  GROUP BY source, user_id, terminal_id, sid
),
-- a session never spans two days (a new day starts one), so two that overlap are of the same day: each day's
-- sessions of a user on two or more terminals, paired in memory (not a self-join, which would compute every
-- step above twice)
days AS (
  SELECT source, user_id, groupArray((terminal_id, s_from, s_to, ids)) AS ss
  FROM sessions GROUP BY source, user_id, s_day HAVING uniqExact(terminal_id) >= 2
),
pairs AS (
  SELECT source, user_id, ss[ij.1] AS a, ss[ij.2] AS b, least(a.1, b.1) AS t1, greatest(a.1, b.1) AS t2,
    greatest(a.2, b.2) AS o_from, least(a.3, b.3) AS o_to, arrayConcat(a.4, b.4) AS ids
  FROM days ARRAY JOIN arrayFlatten(arrayMap(i -> arrayMap(j -> (i, j), range(i + 1, length(ss) + 1)), range(1, length(ss)))) AS ij
  WHERE a.1 != b.1 AND a.2 <= b.3 AND b.2 <= a.3
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
