import { z } from 'zod';
import { ACTION_NAMES } from '../../core/plain-words';
import { defineRule } from '../../core/define-rule';
import { EvidenceRow, fmt, span, userDayDraft } from '../../core/finding';
import { asUserDayRows, evidence, inWindow, T, windowParams } from '../../core/sql';

const params = z
  .object({
    /** Actions on 住民記録 that need a 処理事由. */
    actions: z
      .array(z.enum(['view', 'update', 'issue', 'print', 'search']))
      .min(1)
      .default(['view', 'update', 'issue']),
  })
  .strict();
type Params = z.infer<typeof params>;

export default defineRule<Params, EvidenceRow>({
  id: 'missing-reason',
  title: '処理事由の未入力',
  version: 1,
  revision: 1,
  severity: 'low',
  guideline: '利用目的の記録（住民記録システムの照会・更新・証明書発行時の処理事由の入力）',
  description:
    '住民記録システムで照会・更新・証明書発行をしたのに処理事由が空欄だったものです（1人1日1件にまとめます）。' +
    '入力漏れの理由を確認し、入力の徹底を指導してください。',
  explain: {
    sentence: (p) =>
      `住民記録システムで${p.actions.map((a) => ACTION_NAMES[a]).join('・')}をしたときに処理事由が空欄だったもの（職員・日ごとに1件）`,
    count: { of: '操作件数', unit: '件' },
  },
  reads: { events: ['jumin'], masters: [], lookbackDays: 0 },
  params,
  query: (ctx) => ({
    query: asUserDayRows(`
SELECT day, user_id, ${evidence()}
FROM ${T.events}
WHERE source = {source:String} AND ${inWindow()} AND action IN {actions:Array(String)} AND trimBoth(reason) = ''
GROUP BY day, user_id`),
    query_params: { ...windowParams(ctx), source: 'jumin', actions: ctx.params.actions },
  }),
  toFinding: (row) =>
    userDayDraft(
      row,
      `処理事由が未入力の照会・更新・証明書発行 ${fmt(Number(row.evidence_total))} 件（${span(row.first_at, row.last_at)}）`,
    ),
});
