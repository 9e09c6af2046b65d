import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addDays, isBusinessDay } from '@kansa/calendar';
import { jstDay } from '@kansa/analyzer/core/clock';
import { cp932, JUMIN_HEADER } from '../kit/jumin-lines';
import { kansaCli } from '../kit/kansa-cli';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

/** The last `n` business days before today (JST), oldest first: days that `--due` considers. */
function lastBusinessDays(n: number): string[] {
  const days: string[] = [];
  for (let d = addDays(jstDay(new Date()), -1); days.length < n; d = addDays(d, -1)) if (isBusinessDay(d)) days.unshift(d);
  return days;
}

/** A 住民記録 line: a 照会 with a reason, by `user` at `hhmm` on `day`. */
function juminLine(day: string, hhmm: string, user: string, subject: number): string {
  return [
    `${day.replaceAll('-', '/')} ${hhmm}:00`,
    user,
    '髙橋 一郎',
    '100100',
    '市民課',
    'WS-100100-01',
    '10.1.0.1',
    'JR0101',
    '住民票照会',
    '照会',
    String(1_000_000_000 + subject),
    '無',
    '窓口請求',
    '1',
    '正常',
  ].join(',');
}

/**
 * kansa driven from cron on a site whose 住民記録 file for one day arrived
 * late: `kansa analyze --due` first reports the missing day as a log gap;
 * once the file is imported, `--due` analyses that day again with every rule,
 * finds the off-hours access it holds and withdraws the stale log gap.
 */
describe('a late day, caught up by `kansa analyze --due`', () => {
  const work = scratchDir('late-day');
  const dataDir = join(work, 'data');
  const [early, late, recent] = lastBusinessDays(3);
  const kansa = kansaCli(dataDir);
  /** Writes the day's file (a working day: a 照会 every two hours, plus `extra` lines); returns its path. */
  const dayFile = (day: string, extra: string[] = []) => {
    const file = join(work, `JUMIN_OPLOG_${day.replaceAll('-', '')}.csv`);
    const lines = ['09:00', '11:00', '13:00', '15:00', '17:00'].map((t, i) => juminLine(day, t, 'K000101', i));
    writeFileSync(file, cp932([JUMIN_HEADER, ...lines, ...extra].join('\r\n') + '\r\n'));
    return file;
  };
  const findings = async () =>
    (JSON.parse((await kansa('--json', 'findings')).stdout) as Array<{ rule: string; day: string; userId: string; subject: string }>)
      .map((f) => `${f.rule} ${f.day} ${f.userId || f.subject}`)
      .sort();

  it('analyses the late day again: its off-hours access appears and the log-gap it caused is withdrawn', async () => {
    expect((await kansa('import', dayFile(early), dayFile(recent))).code).toBe(0);
    const first = await kansa('--json', 'analyze', '--due');
    expect(first.code).toBe(0);
    const windows = (JSON.parse(first.stdout) as { windows: Array<{ fromDay: string; toDay: string; rules: Array<{ rule: string }> }> })
      .windows;
    expect(windows[0]).toMatchObject({ fromDay: early });
    expect(windows.flatMap((w) => w.rules.map((r) => r.rule))).toContain('off-hours');
    expect(await findings()).toEqual([`log-gap ${late} jumin`]);

    // The late file: the working day, and a 照会 at 22:00 by another user.
    expect((await kansa('import', dayFile(late, [juminLine(late, '22:00', 'K000102', 9)]))).code).toBe(0);
    const second = await kansa('analyze', '--due');
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`${late} 〜 ${late}`);
    expect(second.stdout).toContain('時間外アクセス (off-hours)  1 件');
    expect(second.stdout).toMatch(/ログの欠損 \(log-gap\) {2}0 件（取り下げ 1 件）/);
    expect(await findings()).toEqual([`off-hours ${late} K000102`]);

    const third = await kansa('analyze', '--due');
    expect(third.code).toBe(0);
    expect(third.stdout).toContain('分析が必要なルール・日はありません');
  }, 300_000);

  it('refuses --due with a window or rules, naming the flags', async () => {
    const refused = await kansa('analyze', '--due', '--from', early, '--to', late);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--due cannot be combined with --from, --to');
  }, 60_000);
});
