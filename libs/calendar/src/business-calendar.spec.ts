import { addDays, buildCalendarDays, daysBetween, eachDay, isBusinessDay } from './business-calendar';

function byDate(days: ReturnType<typeof buildCalendarDays>) {
  return Object.fromEntries(days.map((d) => [d.date, d]));
}

describe('buildCalendarDays', () => {
  it('closes 2025 Golden Week including the 振替休日 on 5/6', () => {
    const d = byDate(buildCalendarDays('2025-04-28', '2025-05-07', []));
    expect(d['2025-04-28']).toEqual({ date: '2025-04-28', businessDay: true, label: '平日' });
    expect(d['2025-04-29']).toEqual({ date: '2025-04-29', businessDay: false, label: '祝日: 昭和の日' });
    expect(d['2025-04-30'].businessDay).toBe(true);
    expect(d['2025-05-03']).toMatchObject({ businessDay: false, label: '祝日: 憲法記念日' });
    expect(d['2025-05-04']).toMatchObject({ businessDay: false, label: '祝日: みどりの日' });
    expect(d['2025-05-05']).toMatchObject({ businessDay: false, label: '祝日: こどもの日' });
    expect(d['2025-05-06']).toEqual({ date: '2025-05-06', businessDay: false, label: '振替休日' });
    expect(d['2025-05-07'].businessDay).toBe(true);
  });

  it('closes a 国民の休日 sandwiched between two holidays (2026-09-22)', () => {
    const d = byDate(buildCalendarDays('2026-09-19', '2026-09-24', []));
    expect(d['2026-09-19'].label).toBe('土曜');
    expect(d['2026-09-20'].label).toBe('日曜');
    expect(d['2026-09-21']).toMatchObject({ businessDay: false, label: '祝日: 敬老の日' });
    expect(d['2026-09-22']).toEqual({ date: '2026-09-22', businessDay: false, label: '国民の休日' });
    expect(d['2026-09-23']).toMatchObject({ businessDay: false, label: '祝日: 秋分の日' });
    expect(d['2026-09-24']).toMatchObject({ businessDay: true, label: '平日' });
  });

  it('closes 年末年始 12/29–1/3 even on weekdays', () => {
    const days = buildCalendarDays('2025-12-26', '2026-01-05', []);
    expect(days.filter((d) => d.label === '年末年始').map((d) => d.date)).toEqual([
      '2025-12-29',
      '2025-12-30',
      '2025-12-31',
      '2026-01-01',
      '2026-01-02',
      '2026-01-03',
    ]);
    const d = byDate(days);
    expect(d['2025-12-26'].businessDay).toBe(true);
    expect(d['2025-12-29'].businessDay).toBe(false);
    expect(d['2026-01-05']).toMatchObject({ businessDay: true, label: '平日' });
  });

  it('opens a Sunday marked 開庁 and closes a weekday marked 閉庁', () => {
    const overrides = [
      { date: '2025-04-27', kind: '開庁' as const, note: '休日窓口' },
      { date: '2025-04-30', kind: '閉庁' as const, note: 'システム更改' },
      { date: '2025-05-03', kind: '開庁' as const },
    ];
    const d = byDate(buildCalendarDays('2025-04-26', '2025-05-03', overrides));
    expect(d['2025-04-26'].businessDay).toBe(false);
    expect(d['2025-04-27']).toEqual({ date: '2025-04-27', businessDay: true, label: '開庁日（休日開庁）: 休日窓口' });
    expect(d['2025-04-30']).toEqual({ date: '2025-04-30', businessDay: false, label: '閉庁日: システム更改' });
    expect(d['2025-05-03']).toEqual({ date: '2025-05-03', businessDay: true, label: '開庁日（休日開庁）' });
    expect(isBusinessDay('2025-04-27', overrides)).toBe(true);
    expect(isBusinessDay('2025-04-27')).toBe(false);
    expect(isBusinessDay('2025-04-30', overrides)).toBe(false);
  });

  it('returns one row per day across month and leap-year boundaries', () => {
    expect(eachDay('2028-02-27', '2028-03-01')).toEqual(['2028-02-27', '2028-02-28', '2028-02-29', '2028-03-01']);
    expect(buildCalendarDays('2025-01-01', '2025-12-31', [])).toHaveLength(365);
    expect(addDays('2025-03-31', -31)).toBe('2025-02-28');
    expect(daysBetween('2025-02-28', '2025-03-31')).toBe(31);
    expect(daysBetween('2028-03-01', '2028-02-28')).toBe(-2);
  });

  it('rejects impossible dates', () => {
    expect(() => buildCalendarDays('2025-02-30', '2025-03-01', [])).toThrow('2025-02-30');
  });
});
