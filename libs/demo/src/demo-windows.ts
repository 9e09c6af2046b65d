import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoEvent } from './demo-formats';
import type { DemoStaff } from './demo-organisation';
import { EvtxEventInput, EvtxWriter } from './evtx-writer';

/** The city's PCs' Security log of a day, as collected from them (wevtutil epl to a share). */
export const windowsFileName = (yyyymmdd: string) => `WINDOWS_SECURITY_${yyyymmdd}.evtx`;

/** A planted clear of a terminal's Security log (1102: the audit-log-cleared rule). */
export interface WindowsLogClear {
  day: string;
  /** Milliseconds after 00:00 JST. */
  t: number;
  staff: DemoStaff;
}

const DOMAIN = 'CITY';
const DAY_MS = 86_400_000;

/**
 * Writes one day's .evtx file of the city's PCs from the 業務端末 events of
 * the day: each logon, unlock and logoff as the PC records it (4624 type 2,
 * 4624 type 7, 4647; the logon name is the staff ID, CITY\K000123), a USB
 * stick plugged in (6416, DiskDrive, the device ID), and what a PC logs
 * around a logon that is not staff activity (the SYSTEM service logon, a
 * process start: kept apart by kansa), each print as the PrintService log
 * records it (307, collected with the Security log); now and then a mistyped password
 * (4625, one at a time: no burst). Written chunk by chunk: memory stays flat.
 */
export class WindowsDayWriter {
  private readonly fd: number;
  private readonly writer = new EvtxWriter();
  private readonly dayStartMs: number;
  records = 0;
  bytes = 0;

  constructor(dir: string, yyyymmdd: string, day: string) {
    this.fd = openSync(join(dir, windowsFileName(yyyymmdd)), 'w');
    writeSync(this.fd, Buffer.alloc(4096)); // the file header, written last
    this.bytes = 4096;
    this.dayStartMs = Date.parse(`${day}T00:00:00+09:00`);
  }

  /** The PC's own records of a 業務端末 event (other events leave no Security record). */
  add(ev: DemoEvent): void {
    if (ev.source !== 'terminal') return;
    const terminal = ev.terminal ?? ev.staff.terminal;
    const ip = ev.ip ?? ev.staff.ip;
    const at = this.dayStartMs + ev.t;
    const user = ev.staff.id;
    switch (ev.op) {
      case 'ログオン':
        this.put(4624, at - 1500, terminal, logon('SYSTEM', 'NT AUTHORITY', '5', terminal, '-'));
        if (ev.t % 7 === 0) {
          // a mistyped password first
          this.put(4625, at - 20_000, terminal, [
            ...logon(user, DOMAIN, '2', terminal, ip),
            ['Status', '0xc000006d'],
            ['SubStatus', '0xc000006a'],
          ]);
        }
        this.put(4624, at, terminal, logon(user, DOMAIN, '2', terminal, ip));
        this.put(4688, at + 800, terminal, [
          ...machine(terminal),
          ['NewProcessName', 'C:\\Windows\\explorer.exe'],
          ['CommandLine', ''],
        ]);
        break;
      case '画面ロック解除':
        this.put(4624, at, terminal, logon(user, DOMAIN, '7', terminal, ip));
        break;
      case 'ログオフ':
        this.put(4647, at, terminal, [
          ['TargetUserName', user],
          ['TargetDomainName', DOMAIN],
          ['TargetLogonId', '0x1'],
        ]);
        break;
      case '印刷':
        // the PrintService/Operational log, collected with the Security log
        this.put(
          307,
          at,
          terminal,
          [
            ['Param1', String(this.records + 1)],
            ['Param2', (ev.file ?? '').split('\\').pop() ?? ''],
            ['Param3', user],
            ['Param4', `\\\\${terminal}`],
            ['Param5', 'PRN-共用-01'],
            ['Param6', 'IP_10.0.0.200'],
            ['Param7', String(ev.size ?? 0)],
            ['Param8', '1'],
          ],
          'DocumentPrinted',
          { channel: 'Microsoft-Windows-PrintService/Operational', provider: 'Microsoft-Windows-PrintService' },
        );
        break;
      case 'USB接続':
        this.put(6416, at, terminal, [
          ...machine(terminal),
          ['DeviceId', ev.device ?? ''],
          ['DeviceDescription', 'USB 大容量記憶装置'],
          ['ClassName', 'DiskDrive'],
        ]);
        break;
    }
  }

  /** A user clears the terminal's Security log (1102). */
  clear(c: WindowsLogClear): void {
    this.put(
      1102,
      this.dayStartMs + c.t,
      c.staff.terminal,
      [
        ['SubjectUserSid', sid(c.staff.id)],
        ['SubjectUserName', c.staff.id],
        ['SubjectDomainName', DOMAIN],
        ['SubjectLogonId', '0x1f4c65f'],
      ],
      'LogFileCleared',
    );
  }

  close(): void {
    const { chunks, header } = this.writer.finish();
    this.flush(chunks);
    writeSync(this.fd, header, 0, header.length, 0);
    closeSync(this.fd);
  }

  private put(
    eventId: number,
    timeMs: number,
    terminal: string,
    data: Array<[string, string]>,
    userData?: string,
    log: { channel: string; provider: string } = { channel: 'Security', provider: 'Microsoft-Windows-Security-Auditing' },
  ): void {
    const at = Math.min(Math.max(timeMs, this.dayStartMs), this.dayStartMs + DAY_MS - 1);
    const input: EvtxEventInput = {
      eventId,
      timeMs: at,
      computer: `${terminal}.city.local`,
      task: TASKS[eventId] ?? 0,
      channel: log.channel,
      provider: eventId === 1102 ? 'Microsoft-Windows-Eventlog' : log.provider,
      data,
      userData,
    };
    this.writer.add(input);
    this.records++;
    this.flush(this.writer.chunks());
  }

  private flush(chunks: Buffer[]): void {
    for (const c of chunks) {
      writeSync(this.fd, c);
      this.bytes += c.length;
    }
  }
}

const TASKS: Record<number, number> = { 4624: 12544, 4625: 12544, 4647: 12545, 4688: 13312, 6416: 13316, 1102: 104 };

function sid(staffId: string): string {
  return `S-1-5-21-1004336348-1177238915-682003330-${staffId.replace(/\D/g, '') || '500'}`;
}

function machine(terminal: string): Array<[string, string]> {
  return [
    ['SubjectUserSid', 'S-1-5-18'],
    ['SubjectUserName', `${terminal}$`],
    ['SubjectDomainName', DOMAIN],
    ['SubjectLogonId', '0x3e7'],
  ];
}

function logon(user: string, domain: string, type: string, terminal: string, ip: string): Array<[string, string]> {
  return [
    ...machine(terminal),
    ['TargetUserSid', user === 'SYSTEM' ? 'S-1-5-18' : sid(user)],
    ['TargetUserName', user],
    ['TargetDomainName', domain],
    ['TargetLogonId', '0x3e7'],
    ['LogonType', type],
    ['LogonProcessName', type === '5' ? 'Advapi' : 'User32'],
    ['AuthenticationPackageName', 'Negotiate'],
    ['WorkstationName', terminal],
    ['IpAddress', ip],
    ['IpPort', '0'],
  ];
}
