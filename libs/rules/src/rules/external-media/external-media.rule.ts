import { z } from 'zod';
import { ALL_EVENTS, defineRule } from '../../core/define-rule';
import { EvidenceRow, fmt, span, userDayDraft } from '../../core/finding';
import { accountsParam, asUserDayRows, evidence, inLookback, inWindow, lookbackParams, staffEvents, T, windowParams } from '../../core/sql';

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

/**
 * A write names its device, or only the file written (a Windows 4663 says
 * `E:\\…`, a terminal log may give the file name alone): then the device is
 * the one last connected to that terminal before the write (device_connect,
 * e.g. Windows 6416), looked for since the day before the window.
 */
const PATH = String.raw`^([A-Za-z]:\\|\\\\|\\Device\\)`;

export default defineRule<Params, Row>({
  id: 'external-media',
  title: '外部媒体への書出し',
  version: 3,
  revision: 1,
  severity: 'medium',
  guideline: '外部記録媒体の利用制限（許可されていない媒体への特定個人情報の書出しの検知）',
  description:
    '業務端末から、許可リストにない USB メモリ等の外部媒体へファイルが書き出されたものです。' +
    '書込みが媒体を記録しないとき（Windows の 4663 など）は、その端末に直前に接続された媒体への書込みとみなします。' +
    '書き出したファイルの内容・媒体の管理状況を確認し、必要なら媒体を回収してください。',
  explain: {
    sentence: (p) =>
      p.approvedDevices.length
        ? `業務端末から、許可された${p.approvedDevices.length}種類の媒体以外の外部媒体（USBメモリ等）へファイルを書き出したもの`
        : '業務端末から外部媒体（USBメモリ等）へファイルを書き出したもの（許可された媒体の登録なし：すべての書出しが対象）',
    count: { of: '書出し件数', unit: '件' },
  },
  // every source: a file_write_external counts whichever system logged it; connections since the day before
  reads: { events: ALL_EVENTS, masters: ['accounts'], lookbackDays: 1 },
  params,
  // The approved device list is usually set once, site-wide (rules.approvedDevices).
  fromSettings: (s) => (s.approvedDevices.length ? { approvedDevices: s.approvedDevices } : {}),
  query: (ctx) => ({
    query: asUserDayRows(`
SELECT day, user_id, groupUniqArray(20)(if(device = '', '(媒体不明)', device)) AS devices,
       groupUniqArray(20)(toString(terminal_id)) AS terminals, ${evidence()}
FROM (
  SELECT w.day AS day, w.user_id AS user_id, w.terminal_id AS terminal_id, w.ts AS ts, w.event_id AS event_id,
         if(w.object = '' OR match(w.object, {path:String}), c.object, w.object) AS device
  FROM ${staffEvents(`${inWindow()} AND action = 'file_write_external'`)} AS w
  ASOF LEFT JOIN (
    SELECT terminal_id, ts, object FROM ${T.events}
    WHERE ${inLookback()} AND action = 'device_connect' AND terminal_id != ''
  ) AS c ON w.terminal_id = c.terminal_id AND w.ts >= c.ts
)
WHERE NOT arrayExists(p -> if(endsWith(p, '*'), startsWith(upperUTF8(device), upperUTF8(substring(p, 1, length(p) - 1))), upperUTF8(device) = upperUTF8(p)),
                      {approved:Array(String)})
GROUP BY day, user_id`),
    query_params: {
      ...windowParams(ctx),
      ...lookbackParams(ctx, 1),
      ...accountsParam(ctx),
      approved: ctx.params.approvedDevices,
      path: PATH,
    },
  }),
  toFinding: (row) =>
    userDayDraft(
      row,
      `許可されていない外部媒体への書出し ${fmt(Number(row.evidence_total))} 件（${span(row.first_at, row.last_at)}、端末 ${row.terminals.join('・')}）`,
      { devices: row.devices, terminals: row.terminals },
    ),
});
