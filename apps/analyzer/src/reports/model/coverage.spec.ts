import { accessCounts, buildIntake } from './coverage';

describe('coverage disclosure', () => {
  it('explains how lines read became events stored, per system, with every reason', () => {
    const i = buildIntake({
      batches: [
        { source: 'atena', batches: 2, read: 100, stored: 100, duplicates: 0, quarantined: 0 },
        { source: 'jumin', batches: 3, read: 210, stored: 200, duplicates: 4, quarantined: 5 },
      ],
      reasons: [
        { source: 'jumin', field: '処理区分', reason: '未知の処理区分です', n: 2 },
        { source: 'jumin', field: '処理日時', reason: '日時が不正です', n: 3 },
      ],
      setAside: [],
      eventsOfMonth: 300,
    });
    expect(i.systems.map((s) => [s.title, s.read, s.stored, s.duplicates, s.rejected, s.other])).toEqual([
      ['住民記録システム', 210, 200, 4, 5, 1],
      ['団体内統合宛名システム', 100, 100, 0, 0, 0],
    ]);
    expect(i.reasons.map((r) => [r.field, r.lines])).toEqual([
      ['処理日時', 3],
      ['処理区分', 2],
    ]);
    expect(i.notes[0]).toBe(
      '読み込んだ 310 行の内訳：保存 300 件、重複 4 行（同じ行の再送。保存済みの1件と同じため保存しない）、除外 5 行（形式の誤り。理由は次の表、行は理由とともに保管）、見出し・空行 1 行。',
    );
    expect(i.notes).toHaveLength(1);
  });

  it('says why the batches’ stored count differs from the day table, and names batches set aside', () => {
    const i = buildIntake({
      batches: [{ source: 'jumin', batches: 1, read: 10, stored: 10, duplicates: 0, quarantined: 0 }],
      reasons: [],
      setAside: [{ source: 'chukan', origin: 'kafka', lines: 50, reason: '値が不正', since: '2025-05-01 08:00' }],
      eventsOfMonth: 12,
    });
    expect(i.notes[1]).toContain('月をまたぐ取込単位');
    expect(i.notes[2]).toContain('取込を保留しているバッチが 1 件（50 行）あります');
  });

  it('defines access as every event but logouts and failed logins, and names the difference', () => {
    const a = accessCounts([
      { action: 'view', n: 90 },
      { action: 'logout', n: 7 },
      { action: 'login_failure', n: 3 },
    ]);
    expect(a).toMatchObject({ total: 100, access: 90 });
    expect(a.note).toContain('ログ件数 100 件との差 10 件は、ログアウト 7 件とログイン失敗 3 件です。');
  });
});
