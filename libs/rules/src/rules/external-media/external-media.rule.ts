import { z } from 'zod';
import { ALL_EVENTS, defineRule } from '../../core/define-rule';
import { EvidenceRow, fmt, span, userDayDraft } from '../../core/finding';
import { asUserDayRows, evidence, inWindow, T, windowParams } from '../../core/sql';

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
  version: 1,
  severity: 'medium',
  guideline: '外部記録媒体の利用制限（許可されていない媒体への特定個人情報の書出しの検知）',
  description:
    '業務端末から、許可リストにない USB メモリ等の外部媒体へファイルが書き出されたものです。' +
    '書き出したファイルの内容・媒体の管理状況を確認し、必要なら媒体を回収してください。',
  // every source: a file_write_external counts whichever system logged it
  explain: {
    sentence: (p) =>
      p.approvedDevices.length
        ? `業務端末から、許可された${p.approvedDevices.length}種類の媒体以外の外部媒体（USBメモリ等）へファイルを書き出したもの`
        : '業務端末から外部媒体（USBメモリ等）へファイルを書き出したもの（許可された媒体の登録なし：すべての書出しが対象）',
    count: { of: '書出し件数', unit: '件' },
  },
  reads: { events: ALL_EVENTS, masters: [], lookbackDays: 0 },
  params,
  // The approved device list is usually set once, site-wide (rules.approvedDevices).
  fromSettings: (s) => (s.approvedDevices.length ? { approvedDevices: s.approvedDevices } : {}),
  query: (ctx) => ({
    query: asUserDayRows(`
SELECT day, user_id, groupUniqArray(20)(object) AS devices, groupUniqArray(20)(toString(terminal_id)) AS terminals, ${evidence()}
FROM ${T.events}
WHERE ${inWindow()} AND action = 'file_write_external'
  AND NOT arrayExists(p -> if(endsWith(p, '*'), startsWith(upperUTF8(object), upperUTF8(substring(p, 1, length(p) - 1))), upperUTF8(object) = upperUTF8(p)),
                      {approved:Array(String)})
GROUP BY day, user_id`),
    query_params: { ...windowParams(ctx), approved: ctx.params.approvedDevices },
  }),
  toFinding: (row) =>
    userDayDraft(
      row,
      `許可されていない外部媒体への書出し ${fmt(Number(row.evidence_total))} 件（${span(row.first_at, row.last_at)}、端末 ${row.terminals.join('・')}）`,
      { devices: row.devices, terminals: row.terminals },
    ),
});
