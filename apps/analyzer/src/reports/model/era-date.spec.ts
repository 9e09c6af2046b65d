import { dualDate, dualMonth, eraDate, eraMonth, weekdayJa } from './era-date';

describe('era dates', () => {
  it('writes 令和 beside the Western date', () => {
    expect(eraDate('2025-04-01')).toBe('令和7年4月1日');
    expect(dualDate('2025-04-30')).toBe('令和7年4月30日（2025年4月30日）');
    expect(dualMonth('2025-04')).toBe('令和7年4月（2025年4月）');
  });

  it('writes the first year of an era as 元年 and switches era on 2019-05-01', () => {
    expect(eraDate('2019-04-30')).toBe('平成31年4月30日');
    expect(eraDate('2019-05-01')).toBe('令和元年5月1日');
    expect(eraMonth('2019-05')).toBe('令和元年5月');
  });

  it('gives the weekday in Japanese whatever the process time zone', () => {
    expect(weekdayJa('2025-04-29')).toBe('火');
    expect(weekdayJa('2025-05-04')).toBe('日');
  });

  it('rejects text that is not a date', () => {
    expect(() => eraDate('2025-4-1')).toThrow('not a date');
    expect(() => eraMonth('2025-13x')).toThrow('not a month');
  });
});
