import iconv from 'iconv-lite';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoRecord } from './demo-intake';
import { type DemoStaff, integratedNo, residentNo } from './demo-organisation';

export const DEMO_SOURCES = ['jumin', 'atena', 'chukan', 'terminal', 'records'] as const;
export type DemoSource = (typeof DEMO_SOURCES)[number];
/** The operation logs (business records are written beside them). */
export type DemoLogSource = Exclude<DemoSource, 'records'>;

/** A business record in a day's stream (`t`: when it is written into the day's file; its own date and time may be earlier). */
export interface DemoRecordEvent {
  t: number;
  source: 'records';
  record: DemoRecord;
}

export type DemoEvent = DemoLogEvent | DemoRecordEvent;

/**
 * One generated log event. `t` is milliseconds after 00:00 JST of its day;
 * the other fields are what the source writes (Japanese values as in spec/sources.md).
 */
export interface DemoLogEvent {
  t: number;
  source: DemoLogSource;
  staff: DemoStaff;
  /** 処理区分 (jumin), 照会種別 (atena), func (chukan), 操作種別 (terminal). */
  op: string;
  /** 宛名番号 (jumin) or 統合宛名番号 (atena, chukan). */
  subject?: string;
  count?: number;
  reason?: string;
  myNumber?: boolean;
  failed?: boolean;
  /** Business code (atena) or 事務手続コード (chukan). */
  code?: string;
  /** Terminal and IP when not the staff member's own. */
  terminal?: string;
  ip?: string;
  partner?: string;
  item?: string;
  detail?: string;
  device?: string;
  file?: string;
  size?: number;
}

export const FILE_NAMES: Record<DemoSource, (yyyymmdd: string) => string> = {
  jumin: (d) => `JUMIN_OPLOG_${d}.csv`,
  atena: (d) => `ATENA_INQUIRY_${d}.csv`,
  chukan: (d) => `CHUKAN_OPLOG_${d}.jsonl`,
  terminal: (d) => `TERMINAL_${d}.csv`,
  records: (d) => `BUSINESS_RECORDS_${d}.csv`,
};

const HEADERS: Record<DemoSource, string> = {
  jumin: '処理日時,職員ID,職員氏名,所属コード,所属名,端末ID,IPアドレス,画面ID,画面名,処理区分,宛名番号,個人番号表示,処理事由,対象件数,処理結果',
  atena: '照会日時,利用者ID,所属コード,端末名,業務コード,照会種別,統合宛名番号,該当件数,結果',
  chukan: '',
  terminal: '日時,コンピュータ名,ユーザー,IPアドレス,操作種別,詳細,デバイスID,ファイル名,サイズ',
  records: '受付日時,所属コード,業務コード,種別,宛名番号,統合宛名番号,受付番号',
};

const JUMIN_SCREENS: Record<string, [string, string]> = {
  ログイン: ['JR0001', 'ログイン'],
  ログイン失敗: ['JR0001', 'ログイン'],
  ログアウト: ['JR0002', 'ログアウト'],
  検索: ['JR0101', '住民検索'],
  照会: ['JR0201', '住民照会'],
  更新: ['JR0301', '異動入力'],
  証明書発行: ['JR0401', '証明書発行'],
  帳票出力: ['JR0501', '帳票出力'],
  一括出力: ['JR0601', '一括出力'],
  CSV出力: ['JR0701', 'CSV出力'],
};

/** RFC 4180 quoting where needed. */
function csv(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const pad2 = (n: number) => (n < 10 ? '0' : '') + n;
const pad3 = (n: number) => (n < 10 ? '00' : n < 100 ? '0' : '') + n;
/** 'HH:MM:SS' for every second of a day, and '.sss' for every millisecond: formatting is a lookup. */
const HMS: string[] = Array.from({ length: 86400 }, (_, s) => `${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}`);
const MS: string[] = Array.from({ length: 1000 }, (_, i) => pad3(i));
const JUMIN_OPS: Record<string, string> = Object.fromEntries(Object.entries(JUMIN_SCREENS).map(([op, [id, name]]) => [op, `${id},${name},${op},`]));

/** Per-staff parts of a line that never change (the hot path writes millions of lines). */
const prefixes = new WeakMap<DemoStaff, { jumin: string; terminalUser: string }>();
function prefixOf(s: DemoStaff): { jumin: string; terminalUser: string } {
  let p = prefixes.get(s);
  if (!p) {
    p = { jumin: `${s.id},${csv(s.name)},${s.dept.code},${s.dept.name},`, terminalUser: `,CITY\\${s.id},` };
    prefixes.set(s, p);
  }
  return p;
}

/** Formats one event as a line of its source (without the line end). */
export function formatLine(day: string, e: DemoEvent, serial: string): string {
  if (e.source === 'records') {
    const r = e.record;
    return (
      `${r.date.replace(/-/g, '/')} ${HMS[Math.floor(r.time / 1000)]},${r.dept.code},${r.code},${r.kind},` +
      `${r.byResidentNo ? residentNo(r.resident) : ''},${r.byIntegratedNo ? integratedNo(r.resident) : ''},${r.receipt}`
    );
  }
  const hms = HMS[Math.floor(e.t / 1000)];
  const s = e.staff;
  switch (e.source) {
    case 'jumin':
      return (
        `${day.slice(0, 4)}/${day.slice(5, 7)}/${day.slice(8, 10)} ${hms},` + prefixOf(s).jumin + (e.terminal ?? s.terminal) + ',' + (e.ip ?? s.ip) + ',' +
        JUMIN_OPS[e.op] + (e.subject ?? '') + (e.myNumber ? ',有,' : ',無,') + (e.reason ? csv(e.reason) : '') + ',' + (e.count ?? 0) + (e.failed ? ',エラー' : ',正常')
      );
    case 'atena':
      return (
        `${day}T${hms}.${MS[e.t % 1000]}+09:00,${s.id},${s.dept.code},${e.terminal ?? s.terminal},${e.code ?? ''},${e.op},${e.subject ?? ''},${e.count ?? 1},${e.failed ? 'NG' : 'OK'}`
      );
    case 'chukan': {
      const o: Record<string, unknown> = { time: `${day}T${hms}.${MS[e.t % 1000]}+09:00`, operator: s.id, terminal: e.terminal ?? s.chukanTerminal, func: e.op };
      if (e.code) o.procedure = e.code;
      if (e.partner) o.partner = e.partner;
      if (e.item) o.item = e.item;
      if (e.subject) o.subject = e.subject;
      o.serial = serial;
      o.count = e.count ?? 0;
      o.result = e.failed ? '異常' : '正常';
      return JSON.stringify(o);
    }
    case 'terminal':
      return (
        `${day} ${hms},${e.terminal ?? s.terminal}` + prefixOf(s).terminalUser + `${e.ip ?? s.ip},${e.op},${csv(e.detail ?? e.op)},${e.device ? csv(e.device) : ''},${e.file ? csv(e.file) : ''},${e.size === undefined ? '' : e.size}`
      );
  }
}

/**
 * A daily log file of one source, written in large encoded chunks:
 * CP932 + CRLF (住民記録, 端末), UTF-8 with BOM + LF (統合宛名, 業務記録), UTF-8 JSON Lines (中間サーバー).
 */
export class DailyLogWriter {
  private fd: number;
  private chunk: string[] = [];
  private chunkChars = 0;
  private readonly eol: string;
  private readonly cp932: boolean;
  lines = 0;
  bytes = 0;

  constructor(readonly source: DemoSource, dir: string, yyyymmdd: string) {
    this.fd = openSync(join(dir, FILE_NAMES[source](yyyymmdd)), 'w');
    this.cp932 = source === 'jumin' || source === 'terminal';
    this.eol = this.cp932 ? '\r\n' : '\n';
    if (source === 'atena' || source === 'records') this.chunk.push('\uFEFF');
    if (HEADERS[source]) this.chunk.push(HEADERS[source] + this.eol);
  }

  write(line: string): void {
    this.chunk.push(line, this.eol);
    this.chunkChars += line.length + 2;
    this.lines++;
    if (this.chunkChars > 1 << 20) this.flush();
  }

  private flush(): void {
    if (this.chunk.length === 0) return;
    const text = this.chunk.join('');
    const buf = this.cp932 ? iconv.encode(text, 'cp932') : Buffer.from(text, 'utf8');
    writeSync(this.fd, buf);
    this.bytes += buf.length;
    this.chunk = [];
    this.chunkChars = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
