import { addMonths, monthRange, monthsEnding, previousMonth } from './months';

describe('months (YYYY-MM)', () => {
  it('steps across year ends both ways', () => {
    expect(addMonths('2025-01', -1)).toBe('2024-12');
    expect(addMonths('2024-12', 1)).toBe('2025-01');
    expect(addMonths('2025-03', -15)).toBe('2023-12');
    expect(previousMonth('2025-01-03')).toBe('2024-12');
    expect(previousMonth('2025-05')).toBe('2025-04');
  });

  it('lists the months ending with one, oldest first', () => {
    expect(monthsEnding('2025-02', 3)).toEqual(['2024-12', '2025-01', '2025-02']);
  });

  it('knows the last day of every month, leap years included', () => {
    expect(monthRange('2024-02')).toEqual({ from: '2024-02-01', to: '2024-02-29' });
    expect(monthRange('2025-02')).toEqual({ from: '2025-02-01', to: '2025-02-28' });
    expect(monthRange('2025-12')).toEqual({ from: '2025-12-01', to: '2025-12-31' });
  });
});
