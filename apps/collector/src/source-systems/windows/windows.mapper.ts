import type { Action } from '@kansa/domain';
import { SourceSystemConfig } from '@kansa/config/sections/sources.section';
import { Apart, apart } from '../../pipeline/step-result';
import { EventDraft } from '../shared/source-system';
import { WinEvent } from './win-event';

/**
 * A Windows event → kansa's event (docs/collector.md "Windows Security
 * events"). The Windows meaning is kept: the event ID in `screenId`, the
 * logon type and the status codes named in Japanese in `reason`, the record
 * itself in `raw`; the computer is the terminal; the account is the user
 * (DOMAIN\ and @domain removed), mapped to a staff ID by the rules through
 * the accounts master (system `windows`). Events of machine and service
 * accounts, and event IDs kansa does not use, are kept apart (counted, not
 * staff activity).
 */

/** Logon types (4624/4625/4634 LogonType). */
export const LOGON_TYPES: Record<string, string> = {
  '0': 'システム',
  '2': '対話型',
  '3': 'ネットワーク',
  '4': 'バッチ',
  '5': 'サービス',
  '7': 'ロック解除',
  '8': 'ネットワーク平文',
  '9': '別の資格情報',
  '10': 'リモート対話型',
  '11': 'キャッシュ対話型',
  '12': 'キャッシュリモート対話型',
  '13': 'キャッシュロック解除',
};

/** Logon types of a person at the terminal (a session there); the others (network, batch, service …) are logons from elsewhere. */
const SESSION_TYPES = new Set(['2', '10', '11', '12']);
const UNLOCK_TYPES = new Set(['7', '13']);

/** NTSTATUS codes of 4625 Status / SubStatus (and 4776), named for staff. */
export const LOGON_STATUS: Record<string, string> = {
  '0xc000006a': 'パスワード誤り',
  '0xc0000064': '存在しないユーザー名',
  '0xc0000072': '無効化されたアカウント',
  '0xc0000234': 'ロックアウト中のアカウント',
  '0xc000006f': '許可された時間外のログオン',
  '0xc0000070': '許可されていない端末からのログオン',
  '0xc0000071': 'パスワードの有効期限切れ',
  '0xc0000193': 'アカウントの有効期限切れ',
  '0xc0000224': '次回ログオン時にパスワード変更が必要',
  '0xc000015b': '許可されていないログオンの種類',
  '0xc000006d': 'ユーザー名またはパスワードの誤り',
  '0xc000006e': 'アカウントの制限',
  '0xc0000133': '時刻の不一致',
  '0xc0000413': '認証ファイアウォールによる拒否',
};

/** Device classes of 6416 that are external storage (the external-media rule); other classes (printers, keyboards …) are not. */
const STORAGE_CLASSES = new Set(['diskdrive', 'usb', 'wpd', 'cdrom', 'volume', 'floppydisk', 'tapedrive']);

/** Task of 4663 written by the Removable Storage audit subcategory (EVTX, evtx_dump), or its name (Winlogbeat). */
const REMOVABLE_STORAGE_TASK = /^(12812|removable storage|リムーバブル記憶域)$/i;

/** Accounts that are not people: the built-in ones by name (compared in upper case) … */
const BUILTIN_NON_STAFF = new Set([
  'SYSTEM',
  'LOCAL SERVICE',
  'NETWORK SERVICE',
  'ANONYMOUS LOGON',
  'LOCALSERVICE',
  'NETWORKSERVICE',
  '-',
  '',
]);
/** … and by domain (virtual accounts of the window manager, font driver host, services, SSH …). */
const NON_STAFF_DOMAINS = new Set(['NT AUTHORITY', 'WINDOW MANAGER', 'FONT DRIVER HOST', 'NT SERVICE', 'VIRTUAL USERS', 'IIS APPPOOL']);

const EVENT_NAMES: Record<number, string> = {
  4624: 'ログオン',
  4625: 'ログオン失敗',
  4634: 'ログオフ',
  4647: 'ログオフ (利用者による)',
  4648: '明示的な資格情報によるログオン',
  4663: 'リムーバブル記憶域への書込み',
  4720: 'アカウント作成',
  4722: 'アカウント有効化',
  4725: 'アカウント無効化',
  4726: 'アカウント削除',
  4738: 'アカウント変更',
  4740: 'アカウントのロックアウト',
  6416: '外部デバイスの接続',
  307: '印刷',
  1102: '監査ログの消去',
  104: 'イベントログの消去',
};

/** The account part of DOMAIN\user or user@domain. */
export function accountName(user: string): string {
  const u = user.trim();
  const slash = u.lastIndexOf('\\');
  if (slash >= 0) return u.slice(slash + 1);
  const at = u.indexOf('@');
  return at > 0 ? u.slice(0, at) : u;
}

/** The terminal: the computer's host name (before the first dot), in upper case as Windows shows NetBIOS names. */
export function terminalOf(computer: string): string {
  const dot = computer.indexOf('.');
  return (dot > 0 ? computer.slice(0, dot) : computer).toUpperCase();
}

const present = (v: string | undefined) => (v && v !== '-' ? v : '');

export type WindowsMapper = (e: WinEvent) => EventDraft | Apart;

export function windowsMapper(config: SourceSystemConfig): WindowsMapper {
  const extraNonStaff = new Set(config.nonStaffAccounts.map((a) => accountName(a).toUpperCase()));

  /** Why an account is not staff ('' when it is a person's), the key it is counted under. */
  const nonStaff = (name: string, domain: string): string => {
    const upper = name.toUpperCase();
    if (upper.endsWith('$')) return 'コンピューターアカウント';
    if (BUILTIN_NON_STAFF.has(upper)) return upper || '(アカウントなし)';
    if (NON_STAFF_DOMAINS.has(domain.toUpperCase())) return `${domain} の仮想アカウント`;
    if (/^(DWM|UMFD)-\d+$/.test(upper)) return 'ウィンドウマネージャー等の仮想アカウント';
    if (extraNonStaff.has(upper)) return `設定された非職員アカウント ${name}`;
    return '';
  };

  const map = (e: WinEvent): EventDraft | Apart => {
    const d = e.data;
    const id = e.eventId;
    // What is not staff activity is decided first, before anything is built (most records of a PC are such).
    const configured = config.actions[String(id)];
    if (!MAPPED.has(id) && !configured) return unused(id);
    const cls = d.ClassName ?? '';
    if (id === 6416 && !STORAGE_CLASSES.has(cls.toLowerCase())) return apart(`未使用のイベントID: 6416 (${cls || 'クラス不明'})`);
    if (id === 4663 && !(REMOVABLE_STORAGE_TASK.test(e.task) && removableWrite(d))) return unused(id);
    if (id === 104 && !/eventlog/i.test(e.provider)) return unused(id);
    const byTarget = BY_TARGET.has(id);
    const name = accountName((id === 307 ? d.Param3 : byTarget ? d.TargetUserName : d.SubjectUserName) ?? '');
    // a device plugged in and a log cleared are about the terminal: kept as events whoever the account (often the machine)
    if (!ABOUT_THE_TERMINAL.has(id)) {
      const why = nonStaff(name, (id === 307 ? '' : byTarget ? d.TargetDomainName : d.SubjectDomainName) ?? '');
      if (why) return apart(`非職員アカウント: ${why}`);
    }
    const terminal = terminalOf(e.computer);
    const ev: EventDraft = {
      tsMs: e.timeMs,
      userId: name || '-',
      userName: '',
      departmentCode: '',
      terminalId: terminal,
      clientIp: ipv4(d.IpAddress),
      action: configured ?? 'login',
      screenId: String(id),
      businessCode: '',
      subjectId: '',
      myNumberShown: false,
      recordCount: 0,
      reason: '',
      outcome: 'success',
      object: '',
      // the record's own identity: the same event by EVTX, Winlogbeat or any other shape is one event
      sourceEventId: recordIdentity(e),
    };
    const logonType = d.LogonType ?? '';
    switch (id) {
      case 4624:
        if (SESSION_TYPES.has(logonType) || UNLOCK_TYPES.has(logonType)) {
          ev.action = UNLOCK_TYPES.has(logonType) ? 'unlock' : 'login';
          ev.reason = withFrom(d, `${EVENT_NAMES[id]}: ${typeText(logonType)}`);
        } else {
          // not at the terminal: kept, marked network_login, the computer as the object (no session at a terminal)
          ev.action = 'network_login';
          ev.terminalId = '';
          ev.object = terminal;
          ev.reason = withFrom(d, `${EVENT_NAMES[id]} (端末の前ではない): ${typeText(logonType)}`);
        }
        return ev;
      case 4625: {
        const status = (d.Status ?? '').toLowerCase();
        const sub = (d.SubStatus ?? '').toLowerCase();
        const named = LOGON_STATUS[sub] ?? LOGON_STATUS[status] ?? '理由不明';
        const codes = [status && `Status ${status}`, sub && sub !== '0x0' && `SubStatus ${sub}`].filter(Boolean).join(', ');
        ev.action = 'login_failure';
        ev.outcome = 'failure';
        ev.reason = withFrom(d, `${EVENT_NAMES[id]}: ${named} (${codes})、${typeText(logonType)}`);
        return ev;
      }
      case 4634:
      case 4647: {
        const atTerminal = id === 4647 || SESSION_TYPES.has(logonType) || UNLOCK_TYPES.has(logonType);
        ev.action = 'logout';
        ev.clientIp = '';
        if (!atTerminal) {
          ev.terminalId = '';
          ev.object = terminal;
        }
        ev.reason = [EVENT_NAMES[id], typeText(logonType)].filter(Boolean).join(': ');
        return ev;
      }
      case 4648:
        ev.action = 'explicit_credentials';
        ev.object = [accountName(d.TargetUserName ?? ''), present(d.TargetServerName)].filter(Boolean).join('@');
        ev.reason = `${EVENT_NAMES[id]}: ${d.TargetDomainName ? d.TargetDomainName + '\\' : ''}${d.TargetUserName ?? ''} → ${d.TargetServerName ?? ''}`;
        return ev;
      case 4740:
        ev.action = 'account_lockout';
        ev.outcome = 'failure';
        ev.object = present(d.TargetDomainName);
        ev.reason = `${EVENT_NAMES[id]}: 呼出し元 ${d.TargetDomainName ?? ''}`;
        return ev;
      case 4720:
      case 4722:
      case 4725:
      case 4726:
      case 4738:
        ev.action = ACCOUNT_ACTIONS[id];
        ev.object = accountName(d.TargetUserName ?? '');
        ev.reason = `${EVENT_NAMES[id]}: ${d.TargetDomainName ? d.TargetDomainName + '\\' : ''}${ev.object}`;
        return ev;
      case 6416:
        ev.action = 'device_connect';
        ev.object = d.DeviceId ?? '';
        ev.reason = `${EVENT_NAMES[id]}: ${cls} ${d.DeviceDescription ?? ''}`.trim();
        return ev;
      case 4663:
        ev.action = 'file_write_external';
        ev.object = d.ObjectName ?? '';
        ev.reason = `${EVENT_NAMES[id]}: ${d.ProcessName ?? ''}`;
        return ev;
      case 307:
        ev.action = 'print';
        ev.object = d.Param2 ?? '';
        ev.reason = `${EVENT_NAMES[id]}: プリンター ${d.Param5 ?? ''}、${d.Param8 ?? '?'} ページ、${d.Param7 ?? '?'} バイト`;
        return ev;
      case 1102:
      case 104:
        // always critical: kept as an event whoever cleared it
        ev.action = 'audit_log_clear';
        ev.object = d.Channel || e.channel;
        ev.reason = `${EVENT_NAMES[id]}: ${ev.object}`;
        return ev;
      default:
        ev.reason = `イベントID ${id}`;
        return ev;
    }
  };
  // a record kept apart keeps its own identity too: re-sent in any shape, it is kept once
  return (e) => {
    const r = map(e);
    return 'kind' in r && r.kind === 'apart' ? apart(r.label, recordIdentity(e), e.timeMs) : r;
  };
}

/** A Windows record's own identity: its channel, computer, record number and time, whatever the shape it came in. */
function recordIdentity(e: WinEvent): string {
  return `${e.channel || 'Security'}:${e.computer.toLowerCase()}:${e.recordId}:${e.timeMs}`;
}

/** Event IDs kansa maps itself; others are kept apart unless configured (sources.windows.actions). */
const MAPPED = new Set([4624, 4625, 4634, 4647, 4648, 4740, 4720, 4722, 4725, 4726, 4738, 6416, 4663, 307, 1102, 104]);
/** Events whose user is the account logged on, failed or locked out (the target); the others' is the one who acted (the subject). */
const BY_TARGET = new Set([4624, 4625, 4634, 4647, 4740]);
const ABOUT_THE_TERMINAL = new Set([6416, 1102, 104]);
const ACCOUNT_ACTIONS: Record<number, Action> = {
  4720: 'account_create',
  4722: 'account_enable',
  4725: 'account_disable',
  4726: 'account_delete',
  4738: 'account_change',
};

function typeText(logonType: string): string {
  return logonType ? `ログオンの種類 ${logonType} ${LOGON_TYPES[logonType] ?? ''}`.trim() : '';
}

/** The reason, and where the logon came from (workstation, IP) when the event says. */
function withFrom(d: Record<string, string>, text: string): string {
  const ws = present(d.WorkstationName);
  const ip = present(d.IpAddress);
  if (!ws && !ip) return text;
  return `${text}、接続元 ${[ws && `端末 ${ws}`, ip && `IP ${ip}`].filter(Boolean).join('、')}`;
}

/** 4663: WriteData (0x2) or AppendData (0x4) in the mask, or %%4417 / %%4418 in the access list. */
function removableWrite(d: Record<string, string>): boolean {
  const mask = /^0x[0-9a-f]+$/i.test(d.AccessMask ?? '') ? parseInt(d.AccessMask.slice(2), 16) : 0;
  return (mask & 0x6) !== 0 || /%%4417|%%4418|WriteData|AppendData/i.test(d.AccessList ?? '');
}

const unused = (id: number) => apart(`未使用のイベントID: ${id}`);

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
/** IPv4 addresses only (kansa's client_ip); IPv6 and '-' stay in raw. */
function ipv4(v: string | undefined): string {
  const s = (v ?? '').replace(/^::ffff:/i, '');
  return IPV4.test(s) ? s : '';
}
