import { buildScope, completeness, unanalysedDays } from './report-scope';

const april = { from: '2025-04-01', to: '2025-04-30' };

describe('report scope and completeness', () => {
  const daily = [
    { d: '2025-04-01', source: 'jumin', n: '120' },
    { d: '2025-04-01', source: 'atena', n: '30' },
    { d: '2025-04-02', source: 'jumin', n: '100' },
    { d: '2025-04-26', source: 'jumin', n: '40' },
  ];

  it('counts per system and day, and lists business days a known system sent nothing (not closed days, not today)', () => {
    const scope = buildScope({ window: april, today: '2025-04-03', knownSources: ['atena', 'jumin'], daily, overrides: [] });
    expect(scope.sources.map((s) => s.id)).toEqual(['jumin', 'atena']);
    expect(scope.totals).toEqual({ jumin: 260, atena: 30 });
    expect(scope.total).toBe(290);
    expect(scope.missing.map((m) => `${m.day} ${m.source}`)).toEqual(['2025-04-02 atena']);
    expect(scope.days.find((d) => d.day === '2025-04-26')).toMatchObject({ businessDay: false, total: 40, weekday: '土' });
  });

  it('follows calendar.csv: an opened Saturday is expected to have logs', () => {
    const scope = buildScope({
      window: april,
      today: '2025-05-01',
      knownSources: ['jumin'],
      daily,
      overrides: [{ date: '2025-04-26', kind: '開庁' }],
    });
    expect(scope.days.find((d) => d.day === '2025-04-26')?.businessDay).toBe(true);
    const jumin = scope.missing.filter((m) => m.source === 'jumin').map((m) => m.day);
    expect(jumin).not.toContain('2025-04-26');
    expect(jumin).toContain('2025-04-28');
    expect(jumin).not.toContain('2025-04-29'); // 昭和の日
    expect(scope.missing.filter((m) => m.source === 'atena').map((m) => m.day)).toContain('2025-04-26');
  });

  it('finds days not analysed by every rule, up to yesterday', () => {
    const ledger = [
      { rule: 'a', days: ['2025-04-01', '2025-04-02'] },
      { rule: 'b', days: ['2025-04-01'] },
    ];
    expect(unanalysedDays(april, '2025-04-03', ledger, ['a', 'b'])).toEqual(['2025-04-02']);
    expect(unanalysedDays(april, '2025-04-03', ledger, null)).toEqual([]);
    expect(unanalysedDays(april, '2025-04-01', ledger, ['a'])).toEqual([]);
    expect(unanalysedDays(april, '2025-06-01', ledger, null)).toHaveLength(28);
  });

  it('says on the cover what is incomplete, and nothing when all is there', () => {
    const scope = buildScope({ window: april, today: '2025-05-08', knownSources: ['jumin'], daily, overrides: [] });
    const c = completeness(april, '2025-05-08', '2025-05-08 09:00', scope, ['2025-04-30']);
    expect(c.complete).toBe(false);
    expect(c.notes[0]).toBe(
      'ログが未収集の開庁日があります（住民記録システム 19日、団体内統合宛名システム 20日）。該当日の分析結果は不完全です。',
    );
    expect(c.notes[1]).toBe('分析が完了していない日が1日あります（2025-04-30）。');
    const running = completeness(april, '2025-04-15', '2025-04-15 10:00', { ...scope, missing: [] }, []);
    expect(running.notes).toEqual(['対象月は作成時点（2025-04-15 10:00）で終了していないため、途中までの集計です。']);
    const full = completeness(april, '2025-05-08', '2025-05-08 09:00', { ...scope, missing: [] }, []);
    expect(full).toEqual({ complete: true, notes: [], missingDays: 0, unanalysedDays: 0 });
    const empty = buildScope({ window: april, today: '2025-05-08', knownSources: [], daily: [], overrides: [] });
    expect(completeness(april, '2025-05-08', 'x', empty, []).notes).toEqual(['対象月のログが1件も取り込まれていません。']);
  });
});
