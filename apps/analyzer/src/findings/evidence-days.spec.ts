import { loadConfig } from '@kansa/config';
import { RULES } from '@kansa/rules';
import { evidenceDays, evidenceDaysOfAll } from './evidence-days';

describe("a finding's evidence days (where its events are looked up by ID)", () => {
  const settings = loadConfig({ env: {} }).rules;
  const window = { from: '2025-05-20 00:00:00.000', to: '2025-05-20 23:59:59.999' };

  it("is the window widened by the rule's look-back and look-ahead, with the parameters it was found with", () => {
    // mass-output compares the day with the 90 days before it (its default): its evidence may lie there
    expect(evidenceDays(RULES, settings, { rule: 'mass-output', params: { lookbackDays: 90 }, window })).toEqual({
      fromDay: '2025-02-19',
      toDay: '2025-05-20',
    });
    // unexplained-access reads business records from 30 days before to 1 day after (its defaults)
    expect(
      evidenceDays(RULES, settings, { rule: 'unexplained-access', params: { recordDaysBefore: 30, recordDaysAfter: 1 }, window }),
    ).toEqual({
      fromDay: '2025-04-20',
      toDay: '2025-05-21',
    });
    // a rule of the day alone: the window's days
    expect(evidenceDays(RULES, settings, { rule: 'mass-lookup', params: {}, window })).toEqual({
      fromDay: '2025-05-20',
      toDay: '2025-05-20',
    });
  });

  it('reaches as far as the parameters found with or those in force now, whichever is further', () => {
    // found with a look-back of 180 days (the site's setting then), 90 in force now
    expect(evidenceDays(RULES, settings, { rule: 'mass-output', params: { lookbackDays: 180 }, window }).fromDay).toBe('2024-11-21');
    // found with 30 days, 90 in force now
    expect(evidenceDays(RULES, settings, { rule: 'mass-output', params: { lookbackDays: 30 }, window }).fromDay).toBe('2025-02-19');
    // parameters that no longer fit the rule: those in force now
    expect(evidenceDays(RULES, settings, { rule: 'mass-output', params: null, window }).fromDay).toBe('2025-02-19');
  });

  it("is the window alone for a rule not in the catalogue (switched off), and spans several findings' windows", () => {
    expect(evidenceDays([], settings, { rule: 'mass-output', params: { lookbackDays: 90 }, window })).toEqual({
      fromDay: '2025-05-20',
      toDay: '2025-05-20',
    });
    const later = { rule: 'mass-lookup', params: {}, window: { from: '2025-06-02', to: '2025-06-03' } };
    expect(evidenceDaysOfAll(RULES, settings, [{ rule: 'mass-output', params: { lookbackDays: 90 }, window }, later])).toEqual({
      fromDay: '2025-02-19',
      toDay: '2025-06-03',
    });
    expect(evidenceDaysOfAll(RULES, settings, [])).toBeNull();
  });
});
