import { loadConfig } from '@kansa/config';
import { buildSourceSystems } from '../source-system.registry';
import { evtxDumpLine, flatLine, winlogbeatLine } from './testing/json-shapes';
import fc from 'fast-check';
import { isoTime, jsonString, readWinEvent, WinEvent, winEventJson } from './win-event';

const config = (windows: Record<string, unknown> = {}) =>
  loadConfig({ env: {}, overrides: { sources: { windows: { ...loadConfig({ env: {} }).sources.windows, ...windows } } } as never }).sources;
const windows = buildSourceSystems(config()).get('windows')!;

const ev = (eventId: number, data: Record<string, string>, extra: Partial<WinEvent> = {}): WinEvent => ({
  recordId: '42',
  eventId,
  timeMs: Date.parse('2026-04-01T00:30:00Z'),
  provider: 'Microsoft-Windows-Security-Auditing',
  channel: 'Security',
  computer: 'ws-100100-001.city.local',
  task: '12544',
  data,
  ...extra,
});
const parse = (e: WinEvent) => windows.parse(winEventJson(e));

describe('windows: reading the JSON shapes', () => {
  const e = ev(4624, { TargetUserName: 'K000001', TargetDomainName: 'CITY', LogonType: '2', IpAddress: '10.1.0.5' });

  it('the raw text of an .evtx record is the evtx_dump shape, read back to the same event', () => {
    const text = winEventJson(e);
    expect(JSON.parse(text)).toEqual({
      Event: {
        System: {
          Provider: { '#attributes': { Name: e.provider } },
          EventID: 4624,
          Task: '12544',
          TimeCreated: { '#attributes': { SystemTime: '2026-04-01T00:30:00.000Z' } },
          EventRecordID: '42',
          Channel: 'Security',
          Computer: e.computer,
        },
        EventData: e.data,
      },
    });
    expect(readWinEvent(JSON.parse(text))).toEqual(e);
  });

  it.each([
    ['Winlogbeat', winlogbeatLine],
    ['evtx_dump', evtxDumpLine],
    ['flat', flatLine],
  ])('%s gives the same event', (_, line) => {
    expect(readWinEvent(JSON.parse(line(e)))).toEqual({ ...e, task: expect.anything() });
  });

  it('a time without an offset (NXLog EventTime) is JST', () => {
    const r = readWinEvent({ EventID: 4624, EventTime: '2026-04-01 09:30:00', Hostname: 'WS-1', TargetUserName: 'K000001' });
    expect(r).toMatchObject({ timeMs: Date.parse('2026-04-01T09:30:00+09:00'), computer: 'WS-1' });
  });

  it.each([
    ['{"foo":1}', '(JSON)'],
    ['{"EventID":"x","TimeCreated":"2026-04-01T00:00:00Z","Computer":"A"}', 'EventID'],
    ['{"EventID":4624,"Computer":"A"}', 'TimeCreated'],
    ['{"winlog":{"event_id":"4624","computer_name":"A"},"@timestamp":"2026-13-01T00:00:00Z"}', '@timestamp'],
    ['{"Event":{"System":{"EventID":4624,"TimeCreated":{"#attributes":{"SystemTime":"2026-04-01T00:00:00Z"}}}}}', 'Event.System.Computer'],
    ['[1]', '(JSON)'],
  ])('quarantines %s naming %s', (text, field) => {
    expect(windows.parse(text)).toMatchObject({ kind: 'quarantine', field });
  });
});

describe('windows: the mapping of the Security events', () => {
  it('4624: sessions at the terminal (interactive, unlock, remote) and logons from elsewhere marked network_login', () => {
    const logon = (type: string) => parse(ev(4624, { TargetUserName: 'CITY\\K000001', TargetDomainName: 'CITY', LogonType: type }));
    expect(logon('2')).toMatchObject({
      kind: 'ok',
      value: { action: 'login', userId: 'K000001', terminalId: 'WS-100100-001', screenId: '4624' },
    });
    expect(logon('7')).toMatchObject({ value: { action: 'unlock' } });
    expect(logon('10')).toMatchObject({ value: { action: 'login', reason: 'ログオン: ログオンの種類 10 リモート対話型' } });
    expect(logon('11')).toMatchObject({ value: { action: 'login' } });
    expect(logon('3')).toMatchObject({ value: { action: 'network_login', terminalId: '', object: 'WS-100100-001' } });
  });

  it.each([
    ['0xc000006d', '0xc000006a', 'パスワード誤り'],
    ['0xc000006d', '0xc0000064', '存在しないユーザー名'],
    ['0xc000006e', '0xc0000072', '無効化されたアカウント'],
    ['0xc0000234', '0x0', 'ロックアウト中のアカウント'],
    ['0xc000006e', '0xc000006f', '許可された時間外のログオン'],
  ])('4625 Status %s SubStatus %s is named %s', (status, sub, named) => {
    const r = parse(ev(4625, { TargetUserName: 'tanaka.t@city.local', LogonType: '2', Status: status, SubStatus: sub }));
    expect(r).toMatchObject({ kind: 'ok', value: { action: 'login_failure', outcome: 'failure', userId: 'tanaka.t' } });
    expect((r as { value: { reason: string } }).value.reason).toContain(`ログオン失敗: ${named} (Status ${status}`);
  });

  it.each([
    ['FS01$', 'CITY', 'コンピューターアカウント'],
    ['SYSTEM', 'NT AUTHORITY', 'SYSTEM'],
    ['LOCAL SERVICE', 'NT AUTHORITY', 'LOCAL SERVICE'],
    ['NETWORK SERVICE', 'NT AUTHORITY', 'NETWORK SERVICE'],
    ['ANONYMOUS LOGON', 'NT AUTHORITY', 'ANONYMOUS LOGON'],
    ['DWM-3', 'Window Manager', 'Window Manager の仮想アカウント'],
  ])('%s is not staff: kept apart as %s', (user, domain, label) => {
    expect(parse(ev(4624, { TargetUserName: user, TargetDomainName: domain, LogonType: '5' }))).toMatchObject({
      kind: 'apart',
      label: `非職員アカウント: ${label}`,
    });
  });

  it('logoffs, explicit credentials, lockout, account management', () => {
    expect(parse(ev(4634, { TargetUserName: 'K000001', LogonType: '2' }))).toMatchObject({
      value: { action: 'logout', terminalId: 'WS-100100-001' },
    });
    expect(parse(ev(4634, { TargetUserName: 'K000001', LogonType: '3' }))).toMatchObject({ value: { action: 'logout', terminalId: '' } });
    expect(parse(ev(4647, { TargetUserName: 'K000001' }))).toMatchObject({ value: { action: 'logout' } });
    expect(parse(ev(4648, { SubjectUserName: 'K000001', TargetUserName: 'admin', TargetServerName: 'fs01' }))).toMatchObject({
      value: { action: 'explicit_credentials', userId: 'K000001', object: 'admin@fs01' },
    });
    expect(parse(ev(4740, { SubjectUserName: 'DC01$', TargetUserName: 'K000002', TargetDomainName: 'WS-9' }))).toMatchObject({
      value: { action: 'account_lockout', userId: 'K000002', outcome: 'failure' },
    });
    for (const [id, action] of [
      [4720, 'account_create'],
      [4722, 'account_enable'],
      [4725, 'account_disable'],
      [4726, 'account_delete'],
      [4738, 'account_change'],
    ] as const) {
      expect(parse(ev(id, { SubjectUserName: 'K000009', TargetUserName: 'yamada.k', TargetDomainName: 'CITY' }))).toMatchObject({
        value: { action, userId: 'K000009', object: 'yamada.k' },
      });
    }
  });

  it('6416: a disk drive is external media (device ID kept, whoever the account), a print queue is not', () => {
    expect(
      parse(ev(6416, { SubjectUserName: 'WS-1$', ClassName: 'DiskDrive', DeviceId: 'USBSTOR\\DISK&VEN_SANDISK&PROD_CRUZER\\4C530001' })),
    ).toMatchObject({
      kind: 'ok',
      value: { action: 'device_connect', userId: 'WS-1$', object: 'USBSTOR\\DISK&VEN_SANDISK&PROD_CRUZER\\4C530001' },
    });
    expect(parse(ev(6416, { SubjectUserName: 'WS-1$', ClassName: 'PrintQueue', DeviceId: 'SWD\\PRINTENUM\\{1}' }))).toMatchObject({
      kind: 'apart',
      label: '未使用のイベントID: 6416 (PrintQueue)',
    });
  });

  it('4663: a write to removable storage is file_write_external; other object access is not used', () => {
    const write = ev(
      4663,
      { SubjectUserName: 'K000001', ObjectName: '\\Device\\HarddiskVolume7\\a.xlsx', AccessMask: '0x2' },
      { task: '12812' },
    );
    expect(parse(write)).toMatchObject({ value: { action: 'file_write_external', object: '\\Device\\HarddiskVolume7\\a.xlsx' } });
    expect(parse({ ...write, data: { ...write.data, AccessMask: '0x1' } })).toMatchObject({ kind: 'apart' });
    expect(parse({ ...write, task: '12800' })).toMatchObject({ kind: 'apart', label: '未使用のイベントID: 4663' });
  });

  it('PrintService 307, and the log clears 1102 and 104 (kept whoever cleared)', () => {
    expect(parse(ev(307, { Param2: '住民一覧.pdf', Param3: 'K000001', Param5: 'PRN-1', Param7: '2048', Param8: '3' }))).toMatchObject({
      value: { action: 'print', userId: 'K000001', object: '住民一覧.pdf', reason: '印刷: プリンター PRN-1、3 ページ、2048 バイト' },
    });
    expect(parse(ev(1102, { SubjectUserName: 'SYSTEM' }, { provider: 'Microsoft-Windows-Eventlog' }))).toMatchObject({
      value: { action: 'audit_log_clear', userId: 'SYSTEM', object: 'Security' },
    });
    expect(
      parse(ev(104, { SubjectUserName: 'K000001', Channel: 'System' }, { provider: 'Microsoft-Windows-Eventlog', channel: 'System' })),
    ).toMatchObject({
      value: { action: 'audit_log_clear', object: 'System' },
    });
  });

  it('unused event IDs are counted apart, unless configured; configured non-staff accounts are kept apart', () => {
    expect(parse(ev(4688, { SubjectUserName: 'K000001' }))).toMatchObject({ kind: 'apart', label: '未使用のイベントID: 4688' });
    const configured = buildSourceSystems(config({ actions: { '4688': 'view' }, nonStaffAccounts: ['CITY\\svc_backup'] })).get('windows')!;
    expect(configured.parse(winEventJson(ev(4688, { SubjectUserName: 'K000001' })))).toMatchObject({ value: { action: 'view' } });
    expect(configured.parse(winEventJson(ev(4624, { TargetUserName: 'SVC_BACKUP', LogonType: '2' })))).toMatchObject({
      kind: 'apart',
      label: '非職員アカウント: 設定された非職員アカウント SVC_BACKUP',
    });
  });
});

describe('windows: the time of an .evtx record as text', () => {
  it('is toISOString, for records in time order and in any order, inside and outside years 1970–9999', () => {
    const anyTime = fc.oneof(
      fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }),
      fc.integer({ min: -62_000_000_000_000, max: 253_402_300_800_000 + 10_000_000_000 }),
    );
    fc.assert(
      fc.property(fc.array(anyTime, { maxLength: 20 }), fc.integer({ min: 0, max: 3 }), (times, stepMs) => {
        // a run of one minute's records after the random ones: the kept minute is reused, then left
        const run = times.length > 0 ? Array.from({ length: 5 }, (_, i) => times[0] + i * stepMs) : [];
        for (const ms of [...times, ...run]) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 2000 },
    );
  });
});

describe('windows: a value as JSON text', () => {
  it('is JSON.stringify of the value, whatever it holds (quotes, backslashes, control characters, surrogates, Japanese)', () => {
    const special = fc.constantFrom(
      '"',
      '\\',
      '\t',
      '\n',
      '\u0000',
      '\u001f',
      '\u007f',
      '\u2028',
      '\ud800',
      '\udfff',
      '𠮷',
      '住',
      'a',
      '/',
    );
    const text = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.array(special).map((cs) => cs.join('')),
    );
    fc.assert(
      fc.property(text, (v) => {
        expect(jsonString(v)).toBe(JSON.stringify(v));
      }),
      { numRuns: 3000 },
    );
  });
});
