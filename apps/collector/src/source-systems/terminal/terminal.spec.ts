import { loadConfig } from '@kansa/config';
import { buildSourceSystems } from '../source-system.registry';

const terminal = buildSourceSystems(loadConfig({ env: {} }).sources).get('terminal')!;

describe('業務端末 (terminal) parser', () => {
  it('strips the domain and keeps the device as the object', () => {
    const r = terminal.parse(
      '2025-04-30 10:15:00,WS-100300-008,SAMPLE\\K001165,10.3.0.17,ファイル書出し,USBメモリへ書出し,USB\\VID_0781&PID_5567\\001,E:\\住民一覧.xlsx,20480',
    );
    expect(r).toEqual({
      kind: 'ok',
      value: expect.objectContaining({
        tsMs: Date.parse('2025-04-30T10:15:00+09:00'),
        userId: 'K001165',
        terminalId: 'WS-100300-008',
        clientIp: '10.3.0.17',
        action: 'file_write_external',
        object: 'USB\\VID_0781&PID_5567\\001',
        reason: 'USBメモリへ書出し',
      }),
    });
  });

  it('a failed logon is a login_failure with outcome failure', () => {
    expect(terminal.parse('2025-04-30 08:00:00,WS-1,DOM\\K001,10.0.0.1,ログオン失敗,,,,')).toMatchObject({
      kind: 'ok',
      value: { action: 'login_failure', outcome: 'failure', object: '' },
    });
  });

  it.each([
    ['2025/04/30 08:00:00,WS-1,DOM\\K001,10.0.0.1,ログオン,,,,', '日時'],
    ['2025-04-30 08:00:00,WS-1,DOM\\,10.0.0.1,ログオン,,,,', 'ユーザー'],
    ['2025-04-30 08:00:00,WS-1,DOM\\K001,10.0.0.999,ログオン,,,,', 'IPアドレス'],
    ['2025-04-30 08:00:00,WS-1,DOM\\K001,10.0.0.1,再起動,,,,', '操作種別'],
    ['2025-04-30 08:00:00,WS-1,DOM\\K001,10.0.0.1,印刷,,,,大きい', 'サイズ'],
  ])('quarantines %s naming %s', (text, field) => {
    expect(terminal.parse(text)).toMatchObject({ kind: 'quarantine', field });
  });
});
