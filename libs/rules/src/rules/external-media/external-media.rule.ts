import { z } from 'zod';
import { ALL_EVENTS, defineRule } from '../../core/define-rule';
import { EvidenceRow, fmt, span, userDayDraft } from '../../core/finding';
import { accountsParam, asUserDayRows, evidence, inWindow, staffEvents, windowParams } from '../../core/sql';

const params = z
  .object({
    /**
     * Approved devices (USB device instance IDs as the terminal log writes
     * them, compared without regard to case); an entry ending in `*` approves
     * every ID that starts with it (e.g. one vendor/product: `USB\VID_0781&PID_5583\*`).
     * Usually set once in the configuration: rules.approvedDevices.
     */
    approvedDevices: z.array(z.string().min(1)).default([]),
  })
  .strict();
type Params = z.infer<typeof params>;

interface Row extends EvidenceRow {
  devices: string[];
  terminals: string[];
}

export default defineRule<Params, Row>({
  id: 'external-media',
  title: '外部媒体への書出し',
  version: 2,
  severity: 'medium',
  guideline: '外部記録媒体の利用制限（許可されていない媒体への特定個人情報の書出しの検知）',
  description:
    '業務端末から、許可リストにない USB メモリ等の外部媒体へファイルが書き出されたものです。' +
    '書き出したファイルの内容・媒体の管理状況を確認し、必要なら媒体を回収してください。',
  // every source: a file_write_external counts whichever system logged it
  reads: { events: ALL_EVENTS, masters: ['accounts'], lookbackDays: 0 },
  params,
  // The approved device list is usually set once, site-wide (rules.approvedDevices).
  fromSettings: (s) => (s.approvedDevices.length ? { approvedDevices: s.approvedDevices } : {}),
  query: (ctx) => ({
    query: asUserDayRows(`
SELECT day, user_id, groupUniqArray(20)(object) AS devices, groupUniqArray(20)(toString(terminal_id)) AS terminals, ${evidence()}
FROM ${staffEvents(`${inWindow()} AND action = 'file_write_external'`)}
WHERE NOT arrayExists(p -> if(endsWith(p, '*'), startsWith(upperUTF8(object), upperUTF8(substring(p, 1, length(p) - 1))), upperUTF8(object) = upperUTF8(p)),
                      {approved:Array(String)})
GROUP BY day, user_id`),
    query_params: { ...windowParams(ctx), ...accountsParam(ctx), approved: ctx.params.approvedDevices },
  }),
  toFinding: (row) =>
    userDayDraft(
      row,
      `許可されていない外部媒体への書出し ${fmt(Number(row.evidence_total))} 件（${span(row.first_at, row.last_at)}、端末 ${row.terminals.join('・')}）`,
      { devices: row.devices, terminals: row.terminals },
    ),
});
