import fc from 'fast-check';
import { daysInMonth, parseIsoWithOffset, parseJstWallClock } from './fields';

describe('fields: dates', () => {
  it('counts the days of every month as the calendar does (leap years every 4, not every 100, every 400)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 1, max: 12 }), (year, month) => {
        const d = new Date(0);
        d.setUTCFullYear(year, month, 0);
        expect(daysInMonth(year, month)).toBe(d.getUTCDate());
      }),
      { numRuns: 5000 },
    );
    expect([1900, 2000, 2024, 2025].map((y) => daysInMonth(y, 2))).toEqual([28, 29, 29, 28]);
  });

  it('refuses a day the month does not have, and reads the last one it has', () => {
    expect(parseJstWallClock('2025/02/29 10:00:00', 'slash')).toBeUndefined();
    expect(parseJstWallClock('2024/02/29 10:00:00', 'slash')).toBe(Date.parse('2024-02-29T01:00:00Z'));
    expect(parseIsoWithOffset('2025-04-31T00:00:00Z')).toBeUndefined();
    expect(parseIsoWithOffset('2025-04-30T23:59:59.999+09:00')).toBe(Date.parse('2025-04-30T14:59:59.999Z'));
  });
});
