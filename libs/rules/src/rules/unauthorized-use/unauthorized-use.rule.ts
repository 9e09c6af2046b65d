import { sourceTitle } from '@kansa/domain';
import { z } from 'zod';
import { ALL_EVENTS, defineRule } from '../../core/define-rule';
import { EvidenceRow, fmt, userDayDraft } from '../../core/finding';
import { ACCESS_ACTIONS, asUserDayRows, EVENT_DEPARTMENT, evidence, inWindow, masterParams, STAFF, T, windowParams } from '../../core/sql';

const params = z.object({}).strict();
type Params = z.infer<typeof params>;

interface Row extends EvidenceRow {
  uses: Array<[string, string]>;
  departments: string[];
}

export default defineRule<Params, Row>({
  id: 'unauthorized-use',
  title: '権限外の業務利用',
  version: 1,
  revision: 3,
  severity: 'high',
  guideline: '事務取扱担当者の限定とアクセス制御（所属に認められていない事務での利用の検知）',
  description:
    '所属に認められていない業務（事務）コードで、統合宛名システム・中間サーバー等を利用したものです（permissions.csv と照合）。' +
    '異動後の権限の残存や、応援業務などの事情がないか確認してください。',
  explain: {
    sentence: () =>
      '所属に認められていない業務（事務）コードでシステムを利用したもの（権限の一覧 permissions.csv と照合。業務コードを記録するシステムが対象）',
    count: { of: 'アクセス件数', unit: '件' },
  },
  reads: { events: ALL_EVENTS, masters: ['staff', 'permissions'], lookbackDays: 0 },
  params,
  query: (ctx) => ({
    query: `${asUserDayRows(`
WITH perm AS (
  SELECT department_code, toString(system) AS system, business_code FROM ${T.permissions} WHERE version = {v_permissions:UInt32}
)
SELECT day, user_id, groupUniqArray(50)((source, business_code)) AS uses, groupUniqArray(10)(dept) AS departments, ${evidence()}
FROM (
  SELECT e.event_id AS event_id, e.ts AS ts, e.day AS day, e.user_id AS user_id, toString(e.source) AS source,
    toString(e.business_code) AS business_code, ${EVENT_DEPARTMENT} AS dept
  FROM ${T.events} e
  LEFT JOIN ${STAFF} s ON s.staff_id = e.user_id
  WHERE ${inWindow('e')} AND e.action IN {access:Array(String)} AND e.business_code != ''
    AND e.source IN (SELECT system FROM perm)
)
WHERE (dept, source, business_code) NOT IN (SELECT department_code, system, business_code FROM perm)
  AND (dept, source) NOT IN (SELECT department_code, system FROM perm WHERE business_code = '*')
GROUP BY day, user_id`)}
-- the staff master (tens of thousands of rows) is the join's build side, as written: left to choose, the engine swaps
-- the sides once it has hash-table statistics from an earlier run in the same process, and a day's run then built its
-- table from the day's events instead (0.2 s -> 0.7-1.2 s on a 6.5 M-event day; docs/analyzer.md)
SETTINGS query_plan_join_swap_table = 'false'`,
    query_params: { ...windowParams(ctx), ...masterParams(ctx), access: ACCESS_ACTIONS },
  }),
  toFinding: (row) => {
    const uses = row.uses
      .map(([source, code]) => `${sourceTitle(source)} ${code}`)
      .sort()
      .join('、');
    return userDayDraft(row, `所属に認められていない業務での利用 ${fmt(Number(row.evidence_total))} 件（${uses}）`, {
      uses: row.uses.map(([source, businessCode]) => ({ source, businessCode })),
      departments: row.departments,
    });
  },
});
