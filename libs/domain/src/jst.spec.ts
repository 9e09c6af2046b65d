import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns/format';
import { JST, jstDay } from './jst';

describe('the JST day of an instant', () => {
  it('is the day the time-zone database gives, around midnight and across the years kansa keeps', () => {
    const instants = [Date.parse('2025-04-30T14:59:59.999Z'), Date.parse('2025-04-30T15:00:00.000Z'), Date.parse('1952-01-01T00:00:00Z')];
    // every 26 h 56 min from 1990 to 2100: each day drifts by an hour, so every hour of the day, month and leap day
    for (let t = Date.parse('1990-01-01T00:00:00Z'); t < Date.parse('2100-01-01T00:00:00Z'); t += 97_003_000) instants.push(t);
    for (const t of instants) expect(jstDay(t)).toBe(format(new TZDate(t, JST), 'yyyy-MM-dd'));
    expect(jstDay(new Date('2024-02-29T15:00:00Z'))).toBe('2024-03-01');
  });
});
