import { calendarSection } from '@kansa/config/sections/calendar.section';
import { businessWindow, isWithinBusinessHours, overtimeWindow, overtimeWindowWithGrace } from './business-hours';

const hours = calendarSection.parse({
  businessHours: { departments: { '100200': { start: '07:00', end: '20:00' } } },
}).businessHours;

describe('business hours', () => {
  it('widens the default 08:30–17:15 by 30 minutes either side', () => {
    expect(businessWindow(hours, '2025-04-14')).toEqual({
      day: '2025-04-14',
      start: '08:30',
      end: '17:15',
      from: '2025-04-14 08:00:00.000',
      to: '2025-04-14 17:45:00.000',
    });
    expect(isWithinBusinessHours(hours, '2025-04-14 07:59:59', true)).toBe(false);
    expect(isWithinBusinessHours(hours, '2025-04-14 08:00:00', true)).toBe(true);
    expect(isWithinBusinessHours(hours, '2025-04-14 17:44:59.999', true)).toBe(true);
    expect(isWithinBusinessHours(hours, '2025-04-14 17:45:00', true)).toBe(false);
  });

  it('uses per-department hours where configured', () => {
    expect(businessWindow(hours, '2025-04-14', '100200')).toMatchObject({ from: '2025-04-14 06:30:00.000', to: '2025-04-14 20:30:00.000' });
    expect(isWithinBusinessHours(hours, '2025-04-14 19:00:00', true, '100200')).toBe(true);
    expect(isWithinBusinessHours(hours, '2025-04-14 19:00:00', true, '100100')).toBe(false);
  });

  it('is never business hours on a closed day', () => {
    expect(isWithinBusinessHours(hours, '2025-04-29 10:00:00', false)).toBe(false);
  });

  it('runs overtime past midnight into the next day', () => {
    expect(overtimeWindow('2025-04-30', '22:00', '01:30')).toEqual({
      startAt: '2025-04-30 22:00:00.000',
      endAt: '2025-05-01 01:30:00.000',
    });
    expect(overtimeWindow('2025-12-31', '18:00', '20:00')).toEqual({
      startAt: '2025-12-31 18:00:00.000',
      endAt: '2025-12-31 20:00:00.000',
    });
    expect(overtimeWindowWithGrace(hours, '2025-12-31', '23:00', '00:45')).toEqual({
      from: '2025-12-31 22:30:00.000',
      to: '2026-01-01 01:15:00.000',
    });
  });

  it('counts JST wall-clock hours without any DST shift (March/November)', () => {
    // Many zones change clocks in these weeks; JST does not, so every window is 9h45m + grace.
    for (const day of ['2025-03-09', '2025-03-30', '2025-11-02', '2025-10-26']) {
      const w = businessWindow(hours, day);
      const ms = Date.parse(w.to.replace(' ', 'T') + '+09:00') - Date.parse(w.from.replace(' ', 'T') + '+09:00');
      expect(ms).toBe((9 * 60 + 45) * 60_000);
    }
  });
});
