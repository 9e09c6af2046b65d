import { z } from 'zod';
import { ALL_EVENTS, defineRule } from '../../core/define-rule';
import { EvidenceRow, fmt, span, userDayDraft } from '../../core/finding';
import { asUserDayRows, evidence, inWindow, masterParams, OPEN_END, staffEvents, T, windowParams } from '../../core/sql';

const params = z.object({}).strict();
type Params = z.infer<typeof params>;

interface Row extends EvidenceRow {
  kinds: string[];
}

export default defineRule<Params, Row>({
  id: 'absentee-activity',
  title: '不在者・退職者IDの使用',
  version: 2,
  revision: 1,
  severity: 'critical',
  guideline: '利用者IDの適切な管理（休業・休職中の職員や退職者のIDの不正使用の検知）',
  description:
    '休業・休暇・休職中の職員、または退職した職員のIDで操作（ログイン試行を含む）が記録されたものです。' +
    'ID・パスワードの貸し借りやなりすましの可能性があります。直ちに本人と所属に事実を確認してください。',
  explain: {
    sentence: () => '休業・休暇・休職中、または退職後の職員のIDで操作（ログインの試行を含む）があったもの（休業の長さは問わない）',
    count: { of: '操作件数', unit: '件' },
  },
  reads: { events: ALL_EVENTS, masters: ['staff', 'leaves', 'accounts'], lookbackDays: 0 },
  params,
  query: (ctx) => ({
    query: asUserDayRows(`
WITH absent AS (
  SELECT staff_id, groupArray((from_day, to_day, kind)) AS spans FROM (
    SELECT staff_id, start_date AS from_day, ifNull(end_date, ${OPEN_END}) AS to_day, 'leave' AS kind
    FROM ${T.leaves} WHERE version = {v_leaves:UInt32}
    UNION ALL
    SELECT staff_id, if(retired_on IS NULL, toDate('1970-01-01'), assumeNotNull(retired_on) + 1), ${OPEN_END}, 'retired'
    FROM ${T.staff} WHERE version = {v_staff:UInt32} AND (retired_on IS NOT NULL OR employment_status = '退職')
  )
  WHERE from_day <= {toDay:Date} AND to_day >= {fromDay:Date}
  GROUP BY staff_id
)
SELECT e.day AS day, e.user_id AS user_id,
  arrayDistinct(arrayFlatten(groupArray(arrayMap(x -> x.3, arrayFilter(x -> e.day >= x.1 AND e.day <= x.2, a.spans))))) AS kinds,
  ${evidence('e')}
FROM ${staffEvents(inWindow())} e
INNER JOIN absent a ON a.staff_id = e.user_id
WHERE e.user_id IN (SELECT staff_id FROM absent)
  AND arrayExists(x -> e.day >= x.1 AND e.day <= x.2, a.spans)
GROUP BY e.day, e.user_id`),
    query_params: { ...windowParams(ctx), ...masterParams(ctx) },
  }),
  toFinding: (row) => {
    // The kind of leave (e.g. 病気休暇) is the staff member's personal data: details only.
    const who = row.kinds.includes('retired') ? '退職者のID' : '休業・休暇中の職員のID';
    return userDayDraft(row, `${who}による操作 ${fmt(Number(row.evidence_total))} 件（${span(row.first_at, row.last_at)}）`, {
      absence: row.kinds,
    });
  },
});
