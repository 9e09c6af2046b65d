import { checkDay, checkDayRange, checkMonth, DateInputError, dateInputProblem } from './date-input';

describe('dates typed by people (API parameters, CLI flags)', () => {
  it.each(['9999-99-99', '2026-13-45', '2026-02-30', '2025-02-29', '2025-4-1', '20250401', '2025-04-01T00:00', ' 2025-04-01', ''])(
    'refuses %j as a day, naming the parameter and the value',
    (value) => {
      expect(() => checkDay('from', value)).toThrow(DateInputError);
      expect(() => checkDay('from', value)).toThrow(`from: "${value}" is not a date YYYY-MM-DD`);
    },
  );

  it.each(['2025-04-01', '2024-02-29', '2026-12-31', '1999-01-01'])('accepts the real day %s', (value) => {
    expect(() => checkDay('--from', value)).not.toThrow();
    expect(dateInputProblem(value)).toBeUndefined();
  });

  it('passes an absent parameter', () => {
    expect(() => checkDay('to', undefined)).not.toThrow();
    expect(() => checkDayRange('from', undefined, 'to', undefined)).not.toThrow();
  });

  it('refuses a reversed period, and checks each end', () => {
    expect(() => checkDayRange('from', '2025-05-01', 'to', '2025-04-30')).toThrow('from: 2025-05-01 is after to 2025-04-30');
    expect(() => checkDayRange('--from', '2025-04-01', '--to', '2025-04-31')).toThrow('--to: "2025-04-31" is not a date');
    expect(() => checkDayRange('from', '2025-04-01', 'to', '2025-04-01')).not.toThrow();
  });

  it('checks months YYYY-MM', () => {
    expect(() => checkMonth('--month', '2025-04')).not.toThrow();
    for (const bad of ['2025-13', '2025-00', '0000-01', '2025-4', '2025-04-01']) {
      expect(() => checkMonth('month', bad)).toThrow(`month: "${bad}" is not a date YYYY-MM`);
    }
  });
});
