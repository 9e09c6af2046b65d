import { z } from 'zod';
import { ALL_EVENTS, defineRule } from '../../core/define-rule';
import { EvidenceRow, fmt, span, userDayDraft } from '../../core/finding';
import { ACCESS_ACTIONS, asUserDayRows, evidence, inWindow, masterParams, RESIDENTS, STAFF, T, windowParams } from '../../core/sql';

const params = z.object({}).strict();
type Params = z.infer<typeof params>;

interface Row extends EvidenceRow {
  relations: string[];
}

export default defineRule<Params, Row>({
  id: 'self-lookup',
  title: '本人・同一世帯の照会',
  version: 1,
  revision: 3,
  severity: 'high',
  guideline: '目的外利用の防止（職員本人・家族の記録の照会の検知）',
  description:
    '職員が自分自身、または同じ世帯の人の記録を照会・処理したものです（宛名番号・統合宛名番号のどちらでも照合）。' +
    '窓口での正規の手続だったか、私的な照会かを確認してください。',
  explain: {
    sentence: () => '職員が自分自身、または同じ世帯の人の記録を照会・処理したもの（宛名番号・統合宛名番号のどちらでも照合）',
    count: { of: 'アクセス件数', unit: '件' },
  },
  reads: { events: ALL_EVENTS, masters: ['staff', 'residents'], lookbackDays: 0 },
  params,
  query: (ctx) => ({
    query: `${asUserDayRows(`
WITH
st AS (SELECT staff_id, resident_id, household_id FROM ${STAFF} WHERE resident_id != '' OR household_id != ''),
res AS ${RESIDENTS},
-- the staff's own rows of residents.csv: every join below builds its table from the staff's few rows, not from
-- every resident of the city
own AS (SELECT * FROM res WHERE resident_id != '' AND resident_id IN (SELECT resident_id FROM st)),
-- the staff member's own household: from the staff master, else from residents.csv
hh AS (
  SELECT st.staff_id AS staff_id, st.resident_id AS own, if(st.household_id != '', st.household_id, r.household_id) AS household
  FROM st LEFT JOIN (SELECT resident_id, household_id FROM own) r ON r.resident_id = st.resident_id
),
links AS (
  SELECT staff_id, number, max(relation) AS relation FROM (
    SELECT hh.staff_id AS staff_id, arrayJoin([r.resident_id, r.integrated_id]) AS number,
      if(r.resident_id = hh.own AND hh.own != '', 'self', 'household') AS relation
    FROM hh INNER JOIN (SELECT * FROM res WHERE household_id != '' AND household_id IN (SELECT household FROM hh)) r ON r.household_id = hh.household
    UNION ALL
    SELECT staff_id, own, 'self' FROM hh WHERE own != ''
    UNION ALL
    SELECT hh.staff_id, r.integrated_id, 'self' FROM hh INNER JOIN own r ON r.resident_id = hh.own
  )
  WHERE number != ''
  GROUP BY staff_id, number
)
SELECT e.day AS day, e.user_id AS user_id, groupUniqArray(l.relation) AS relations, ${evidence('e')}
FROM ${T.events} e
INNER JOIN links l ON l.staff_id = e.user_id AND l.number = e.subject_id
WHERE ${inWindow('e')} AND e.action IN {access:Array(String)}
GROUP BY e.day, e.user_id`)}
-- links are the join's build side, as written, and computed once. A filter on their numbers before the join computed
-- them twice (the engine does not keep a WITH table): 0.7 s for a 6.5 M-event day against 0.5 s. Left to choose, the
-- engine swaps the sides once it has hash-table statistics from an earlier run in the same process (1.5-2.0 s).
-- docs/analyzer.md
SETTINGS query_plan_join_swap_table = 'false'`,
    query_params: { ...windowParams(ctx), ...masterParams(ctx), access: ACCESS_ACTIONS },
  }),
  toFinding: (row) => {
    const whose = row.relations.length > 1 ? '本人・同一世帯員' : row.relations[0] === 'self' ? '本人' : '同一世帯員';
    return userDayDraft(row, `${whose}の記録の照会・処理 ${fmt(Number(row.evidence_total))} 件（${span(row.first_at, row.last_at)}）`, {
      relations: row.relations,
    });
  },
});
