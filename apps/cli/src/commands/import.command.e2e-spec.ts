import * as iconv from 'iconv-lite';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

const BIN = join(__dirname, '..', '..', '..', '..', 'bin', 'kansa.js');
const HEADER =
  '処理日時,職員ID,職員氏名,所属コード,所属名,端末ID,IPアドレス,画面ID,画面名,処理区分,宛名番号,個人番号表示,処理事由,対象件数,処理結果';
const line = (t: string, kubun = '照会') =>
  `2025/04/14 ${t},K001198,髙﨑 翔,100700,納税課,WS-1,10.0.0.1,JR0101,照会,${kubun},0000012345,無,窓口,1,正常`;

describe('kansa import (the command, in its own process)', () => {
  const dir = scratchDir('import-cli');
  const dataDir = join(dir, 'data');
  const logs = join(dir, 'logs');
  const kansa = (...args: string[]) =>
    spawnSync(process.execPath, [BIN, '--data-dir', dataDir, ...args], { encoding: 'utf8', timeout: 120000 });
  beforeAll(() => {
    mkdirSync(logs);
    writeFileSync(
      join(logs, 'JUMIN_OPLOG_20250414.csv'),
      iconv.encode([HEADER, line('08:00:00'), line('08:01:00', '消去'), line('08:02:00')].join('\r\n') + '\r\n', 'cp932'),
    );
  });

  it('imports a folder and prints the counts as JSON, then the same files again are duplicates', () => {
    const first = kansa('--json', 'import', logs);
    expect(first.status).toBe(0);
    const json = JSON.parse(first.stdout);
    expect(json.total).toEqual({ read: 3, stored: 2, duplicates: 0, quarantined: 1, apart: 0, setAside: 0 });
    expect(json.files[0]).toMatchObject({ source: 'jumin', reasons: { '処理区分: 未知の処理区分です': 1 } });
    const again = kansa('import', logs);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('読込 3 / 保存 0 / 重複 2 / 隔離 1');
    expect(again.stdout).toContain('隔離理由 処理区分: 未知の処理区分です: 1件');
  });

  it('kansa info then says, in Japanese first, what the directory holds', () => {
    const info = kansa('info');
    expect(info.status).toBe(0);
    expect(info.stdout.trim().split('\n')).toEqual([
      `保存先 (storage): embedded ${dataDir}`,
      'ログのイベント (events): 2',
      '隔離した行 (quarantined): 2', // the bad line, recorded each time the file came (docs/collector.md)
      '検知結果 (findings): 0',
      '保留中のバッチ (set aside): 0',
      '完了待ちのバッチ (pending commits): 0',
    ]);
  });

  it('imports a Windows Security log (.evtx) and says what was kept apart, per kind', () => {
    const evtx = join(__dirname, '../../../collector/src/source-systems/windows/fixtures/4624-pass-the-hash.evtx');
    const r = kansa('import', evtx);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      `${evtx} (windows): 読込 8 / 保存 2 / 重複 0 / 隔離 0 / 別保管 6`,
      '  別保管 未使用のイベントID: 4688: 2件',
      '  別保管 未使用のイベントID: 5145: 2件',
      '  別保管 未使用のイベントID: 4672: 1件',
      '  別保管 未使用のイベントID: 4964: 1件',
      '',
    ]);
  });

  it('refuses bad input with one line and a non-zero exit, importing nothing', () => {
    writeFileSync(join(dir, 'unknown.csv'), 'x\n');
    const unknown = kansa('import', join(logs, 'JUMIN_OPLOG_20250414.csv'), join(dir, 'unknown.csv'));
    expect(unknown.status).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toEqual([expect.stringContaining('file name matches no source; use --source')]);
    expect(unknown.stdout).toBe('');
    const missing = kansa('import', join(dir, 'nosuch.csv'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('no such file or directory');
  });
});
