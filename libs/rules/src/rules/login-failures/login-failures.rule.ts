import { z } from 'zod';
import { ALL_EVENTS, defineRule } from '../../core/define-rule';
import { EvidenceRow, fmt, num, span } from '../../core/finding';
import { accountsParam, inWindow, staffEvents, windowParams } from '../../core/sql';

const params = z
  .object({
    /** This many failures or more … */
    failures: z.number().int().min(2).default(5),
    /** … within this many minutes (first to last, inclusive). */
    withinMinutes: z.number().int().min(1).default(10),
  })
  .strict();
type Params = z.infer<typeof params>;

interface Row extends EvidenceRow {
  kind: 'user' | 'terminal';
  subject: string;
  users: string[];
  max_burst: string;
}

export default defineRule<Params, Row>({
  id: 'login-failures',
  title: 'ログイン失敗の多発',
  version: 2,
  revision: 1,
  severity: 'medium',
  guideline: '不正アクセスの防止（パスワード推測・なりすましの試行の検知）',
  description:
    '同じIDで、または同じ端末で、短時間（既定 10 分以内）にログイン失敗が続いたもの（既定 5 回以上）です。' +
    '本人の入力ミスか、他人による試行かを確認してください。端末の場合は複数のIDが試されています。',
  explain: {
    sentence: (p) => `同じIDまたは同じ端末で、${p.withinMinutes}分以内に${p.failures}回以上ログインに失敗したもの`,
    count: { of: '失敗回数', unit: '回' },
  },
  reads: { events: ALL_EVENTS, masters: ['accounts'], lookbackDays: 0 },
  params,
  query: (ctx) => ({
    query: `
WITH f AS (
  SELECT event_id, ts, toUnixTimestamp64Milli(ts) AS ms, toString(user_id) AS user_id, toString(terminal_id) AS terminal_id
  FROM ${staffEvents(`${inWindow()} AND action = 'login_failure'`)}
),
series AS (
  SELECT kind, key, arraySort(groupArray((ms, event_id, ts, user_id))) AS xs FROM (
    SELECT 'user' AS kind, user_id AS key, * FROM f
    UNION ALL
    SELECT 'terminal' AS kind, terminal_id AS key, * FROM f WHERE terminal_id != ''
  )
  GROUP BY kind, key
  HAVING length(xs) >= {failures:UInt32}
),
marked AS (
  SELECT kind, key, xs,
    -- failures in [t, t + window] from each failure on
    arrayMap(x -> arrayCount(y -> y.1 >= x.1 AND y.1 <= x.1 + {window_ms:Int64}, xs), xs) AS fwd,
    -- for each failure, the largest burst (≥ failures) whose window holds it; 0 when none
    arrayMap(x -> arrayMax(arrayMap((s, n) -> if(n >= {failures:UInt32} AND x.1 >= s.1 AND x.1 <= s.1 + {window_ms:Int64}, n, 0), xs, fwd)), xs) AS burst
  FROM series
),
hits AS (
  SELECT kind, key, hit.1 AS x, x.2 AS event_id, x.3 AS ts, x.4 AS user_id, hit.2 AS burst
  FROM (SELECT kind, key, arrayJoin(arrayFilter(p -> p.2 > 0, arrayZip(xs, burst))) AS hit FROM marked)
)
SELECT toString(toDate(ts, 'Asia/Tokyo')) AS day, kind, key AS subject, groupUniqArray(20)(user_id) AS users, max(burst) AS max_burst,
  arrayMap(x -> toString(x.2), groupArraySorted(1000)((ts, event_id))) AS evidence_ids, count() AS evidence_total,
  toString(min(ts)) AS first_at, toString(max(ts)) AS last_at
FROM hits
GROUP BY day, kind, key
-- a terminal is reported only when several IDs were tried on it; one ID's failures are that user's finding
HAVING kind = 'user' OR length(users) >= 2
ORDER BY day, kind, subject`,
    query_params: {
      ...windowParams(ctx),
      ...accountsParam(ctx),
      failures: ctx.params.failures,
      window_ms: ctx.params.withinMinutes * 60_000,
    },
  }),
  toFinding: (row, ctx) => {
    const n = fmt(num(row.evidence_total));
    const when = span(row.first_at, row.last_at);
    const burst = `${ctx.params.withinMinutes}分以内に最大 ${fmt(num(row.max_burst))} 回`;
    const byUser = row.kind === 'user';
    return {
      day: row.day,
      userId: byUser ? row.subject : '',
      subject: byUser ? row.subject : `terminal:${row.subject}`,
      count: num(row.evidence_total),
      firstAt: row.first_at,
      lastAt: row.last_at,
      summary: byUser
        ? `ログイン失敗 ${n} 回（${burst}、${when}）`
        : `端末 ${row.subject} で ${row.users.length} 個のIDのログイン失敗 ${n} 回（${burst}、${when}）`,
      details: { by: row.kind, terminal: byUser ? undefined : row.subject, users: row.users, maxInWindow: num(row.max_burst) },
      evidenceIds: row.evidence_ids,
      evidenceTotal: num(row.evidence_total),
    };
  },
});
