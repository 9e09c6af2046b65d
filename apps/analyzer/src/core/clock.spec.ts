import { consecutiveRanges, jstDay, jstTimestamp, splitByMonth } from './clock';

describe('JST days and ranges', () => {
  it('puts an instant on its Japanese calendar day, whatever the process time zone', () => {
    expect(jstDay(new Date('2025-04-30T14:59:59.999Z'))).toBe('2025-04-30');
    expect(jstDay(new Date('2025-04-30T15:00:00.000Z'))).toBe('2025-05-01');
    expect(jstTimestamp(new Date('2025-04-30T15:00:00.123Z'))).toBe('2025-05-01 00:00:00.123');
  });

  it('groups due days into runs of consecutive days, across month ends', () => {
    expect(consecutiveRanges(['2025-05-02', '2025-04-30', '2025-05-01', '2025-05-05', '2025-05-05', '2025-03-01'])).toEqual([
      ['2025-03-01', '2025-03-01'],
      ['2025-04-30', '2025-05-02'],
      ['2025-05-05', '2025-05-05'],
    ]);
    expect(consecutiveRanges([])).toEqual([]);
  });

  it('splits a long catch-up month by month', () => {
    expect(splitByMonth('2024-01-30', '2024-03-02')).toEqual([
      ['2024-01-30', '2024-01-31'],
      ['2024-02-01', '2024-02-29'],
      ['2024-03-01', '2024-03-02'],
    ]);
    expect(splitByMonth('2025-04-14', '2025-04-14')).toEqual([['2025-04-14', '2025-04-14']]);
  });
});
