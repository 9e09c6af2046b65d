import { z } from 'zod';
import { hoursPhrase } from '../../core/plain-words';
import { ALL_EVENTS, defineRule, type RuleContext } from '../../core/define-rule';
import { EvidenceRow, fmt, span, userDayDraft } from '../../core/finding';
import {
  ACCESS_ACTIONS,
  BUSINESS_DAYS,
  deptClose,
  deptOpen,
  EVENT_DEPARTMENT,
  evidence,
  hoursParams,
  inWindow,
  masterParams,
  secondOfDay,
  STAFF,
  staffEvents,
  T,
  windowParams,
} from '../../core/sql';

interface Row extends EvidenceRow {
  business_day: number | boolean;
  label: string;
}

const params = z.object({}).strict();

/** Why the excused accesses were not reported (ExcusedRow.reason). */
export const EXCUSED_BY_OVERTIME = '承認済みの時間外勤務命令の範囲内';

/**
 * Access events outside the user's business hours (grace included) or on a
 * non-business day (CTE `off`): `NOT ` those outside approved overtime (what
 * the rule reports), '' those inside it (what it excuses).
 */
function outsideHours(overtime: 'NOT ' | ''): string {
  return `WITH cand AS (
  SELECT event_id, ts, day, user_id, department_code, ${secondOfDay()} AS sod, day IN ${BUSINESS_DAYS} AS business
  FROM ${staffEvents(`${inWindow()} AND action IN {access:Array(String)}`)}
  WHERE (NOT business OR sod < {bh_band_open:Int32} OR sod >= {bh_band_close:Int32})
),
ot AS (
  SELECT staff_id,
    groupArray((start_at - toIntervalMinute({grace_before:UInt32}), end_at + toIntervalMinute({grace_after:UInt32}))) AS spans
  FROM ${T.overtime}
  WHERE version = {v_overtime:UInt32} AND date >= {fromDay:Date} - 1 AND date <= {toDay:Date}
  GROUP BY staff_id
),
off AS (
  SELECT e.event_id AS event_id, e.ts AS ts, e.day AS day, e.user_id AS user_id, e.business AS business
  FROM cand e
  LEFT JOIN ${STAFF} s ON s.staff_id = e.user_id
  LEFT JOIN ot o ON o.staff_id = e.user_id
  WHERE (NOT e.business OR e.sod < ${deptOpen(EVENT_DEPARTMENT)} OR e.sod >= ${deptClose(EVENT_DEPARTMENT)})
    AND ${overtime}arrayExists(w -> e.ts >= w.1 AND e.ts < w.2, o.spans)
)`;
}

function queryParams(ctx: RuleContext<z.infer<typeof params>>): Record<string, unknown> {
  return {
    ...windowParams(ctx),
    ...masterParams(ctx),
    ...hoursParams(ctx.hours),
    access: ACCESS_ACTIONS,
    grace_before: ctx.hours.graceBeforeMinutes,
    grace_after: ctx.hours.graceAfterMinutes,
  };
}

export default defineRule<z.infer<typeof params>, Row>({
  id: 'off-hours',
  title: '時間外アクセス',
  version: 2,
  revision: 1,
  severity: 'medium',
  guideline: '特定個人情報の取扱状況の記録・分析（アクセスログの定期的な分析：業務時間外の利用）',
  description:
    '勤務時間（前後の猶予を含む）外や閉庁日に、時間外勤務命令のない職員が業務システムを利用したものです。' +
    '時間外勤務の命令漏れか、業務上必要な作業だったかを所属に確認してください。',
  explain: {
    sentence: (_p, { hours }) =>
      `${hoursPhrase(hours)}の外、または閉庁日に、時間外勤務命令のない職員がシステムを利用したもの（職員・日ごとに1件）`,
    count: { of: 'アクセス件数', unit: '件' },
  },
  reads: { events: ALL_EVENTS, masters: ['staff', 'accounts', 'overtime', 'calendar'], lookbackDays: 0 },
  params,
  query: (ctx) => ({
    query: `
${outsideHours('NOT ')}
SELECT a.*, c.label AS label
FROM (
  SELECT toString(day) AS day, toString(user_id) AS user_id, any(business) AS business_day, ${evidence()}
  FROM off GROUP BY day, user_id
) a
LEFT JOIN (SELECT toString(date) AS d, any(label) AS label FROM ${T.calendarDays}
           WHERE calendar_version = {calendar_version:UInt32} AND date >= {fromDay:Date} AND date <= {toDay:Date} GROUP BY date) c
  ON c.d = a.day
ORDER BY day, user_id`,
    query_params: queryParams(ctx),
  }),
  // The same off-hours accesses, those inside approved overtime: counted for the report, never named.
  excused: (ctx) => ({
    query: `
${outsideHours('')}
SELECT '${EXCUSED_BY_OVERTIME}' AS reason, count() AS events, uniqExact(user_id) AS users, uniqExact(user_id, day) AS user_days FROM off`,
    query_params: queryParams(ctx),
  }),
  toFinding: (row) => {
    const business = row.business_day === true || Number(row.business_day) === 1;
    const n = fmt(Number(row.evidence_total));
    const when = span(row.first_at, row.last_at);
    const summary = business ? `勤務時間外のアクセス ${n} 件（${when}）` : `閉庁日（${row.label || '休日'}）のアクセス ${n} 件（${when}）`;
    return userDayDraft(row, summary, { businessDay: business, dayLabel: row.label });
  },
});
