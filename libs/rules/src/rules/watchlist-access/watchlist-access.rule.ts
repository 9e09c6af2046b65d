import { z } from 'zod';
import { ALL_EVENTS, defineRule } from '../../core/define-rule';
import { EvidenceRow, fmt, span, userDayDraft } from '../../core/finding';
import {
  ACCESS_ACTIONS,
  asUserDayRows,
  EVENT_DEPARTMENT,
  evidence,
  inWindow,
  masterParams,
  OPEN_END,
  RESIDENTS,
  STAFF,
  T,
  windowParams,
} from '../../core/sql';

const params = z.object({}).strict();
type Params = z.infer<typeof params>;

interface Row extends EvidenceRow {
  subjects: string[];
  categories: string[];
  departments: string[];
}

export default defineRule<Params, Row>({
  id: 'watchlist-access',
  title: '要保護対象者への照会',
  version: 1,
  revision: 2,
  severity: 'high',
  guideline: 'DV等支援措置対象者等の情報の厳格な管理（担当外の職員による照会の検知）',
  description:
    'DV等支援措置の対象者など要保護対象者の記録に、担当所属以外の職員がアクセスしたものです（宛名番号・統合宛名番号のどちらでも照合）。' +
    '照会の理由を本人と所属に確認してください。対象者は詳細欄でのみ確認できます。',
  explain: {
    sentence: () =>
      '要保護対象者（DV等支援措置の対象者など）の記録に、担当所属以外の職員がアクセスしたもの（宛名番号・統合宛名番号のどちらでも照合）',
    count: { of: 'アクセス件数', unit: '件' },
  },
  reads: { events: ALL_EVENTS, masters: ['staff', 'watchlist', 'residents'], lookbackDays: 0 },
  params,
  query: (ctx) => ({
    query: asUserDayRows(`
WITH
wl AS (
  SELECT resident_id, integrated_id, start_date, ifNull(end_date, ${OPEN_END}) AS end_date, handling_departments, category
  FROM ${T.watchlist}
  WHERE version = {v_watchlist:UInt32} AND start_date <= {toDay:Date} AND (end_date IS NULL OR end_date >= {fromDay:Date})
),
res AS ${RESIDENTS},
-- every number that names a watched resident → the entries (validity, handling departments)
watched AS (
  SELECT number, groupArray((start_date, end_date, handling_departments, category)) AS entries FROM (
    SELECT arrayJoin(arrayDistinct(arrayFilter(x -> x != '', [w.resident_id, w.integrated_id, r1.integrated_id, r2.resident_id]))) AS number,
      w.start_date AS start_date, w.end_date AS end_date, w.handling_departments AS handling_departments, w.category AS category
    FROM wl w
    -- only the watched residents' rows of residents.csv: the joins build their tables from those few rows, not from every
    -- resident of the city, twice (0.24 s -> 0.07 s on a 6.5 M-event day, 900,000 residents; docs/analyzer.md)
    LEFT JOIN (SELECT resident_id, integrated_id FROM res WHERE resident_id != '' AND resident_id IN (SELECT resident_id FROM wl)) r1
      ON r1.resident_id = w.resident_id
    LEFT JOIN (SELECT resident_id, integrated_id FROM res WHERE integrated_id != '' AND integrated_id IN (SELECT integrated_id FROM wl)) r2
      ON r2.integrated_id = w.integrated_id
  )
  GROUP BY number
)
SELECT day, user_id, groupUniqArray(100)(subject_id) AS subjects, groupUniqArray(20)(category) AS categories,
  groupUniqArray(10)(dept) AS departments, ${evidence()}
FROM (
  SELECT e.event_id AS event_id, e.ts AS ts, e.day AS day, e.user_id AS user_id, e.subject_id AS subject_id, ${EVENT_DEPARTMENT} AS dept,
    arrayFilter(x -> e.day >= x.1 AND e.day <= x.2, k.entries) AS valid,
    arrayStringConcat(arrayDistinct(arrayMap(x -> x.4, valid)), ',') AS category
  FROM ${T.events} e
  INNER JOIN watched k ON k.number = e.subject_id
  LEFT JOIN ${STAFF} s ON s.staff_id = e.user_id
  WHERE ${inWindow('e')} AND e.action IN {access:Array(String)} AND e.subject_id IN (SELECT number FROM watched)
)
WHERE length(valid) > 0 AND NOT arrayExists(x -> has(x.3, dept), valid)
GROUP BY day, user_id`),
    query_params: { ...windowParams(ctx), ...masterParams(ctx), access: ACCESS_ACTIONS },
  }),
  // The summary goes into alerts: it never names the resident or the watchlist category.
  toFinding: (row) =>
    userDayDraft(
      row,
      `要保護対象者の記録への担当外の所属からのアクセス ${fmt(Number(row.evidence_total))} 件（${span(row.first_at, row.last_at)}）`,
      {
        subjects: row.subjects,
        categories: row.categories,
        departments: row.departments,
      },
    ),
});
