import { addDays } from '@kansa/calendar';
import { calendarSection } from '@kansa/config/sections/calendar.section';
import type { MasterVersions, RuleContext, RuleDefinition } from './define-rule';

/** The master version a sample context names for every master (the fixtures load their masters as it). */
export const SAMPLE_MASTER_VERSION = 1;

const VERSIONS: MasterVersions = {
  staff: SAMPLE_MASTER_VERSION,
  leaves: SAMPLE_MASTER_VERSION,
  accounts: SAMPLE_MASTER_VERSION,
  overtime: SAMPLE_MASTER_VERSION,
  watchlist: SAMPLE_MASTER_VERSION,
  permissions: SAMPLE_MASTER_VERSION,
  residents: SAMPLE_MASTER_VERSION,
  calendar: SAMPLE_MASTER_VERSION,
  assignments: SAMPLE_MASTER_VERSION,
};

/**
 * The context the analyzer would build for a window, with every master at
 * SAMPLE_MASTER_VERSION and the default business hours unless given: for the
 * rule fixtures and the catalogue's checks of the query text.
 */
export function sampleContext<P>(
  rule: Pick<RuleDefinition<P, unknown>, 'params'>,
  window: { fromDay: string; toDay: string },
  params: Record<string, unknown> = {},
  hours: Partial<RuleContext<P>['hours']> = {},
): RuleContext<P> {
  return {
    fromDay: window.fromDay,
    toDay: window.toDay,
    from: `${window.fromDay} 00:00:00.000`,
    to: `${addDays(window.toDay, 1)} 00:00:00.000`,
    params: rule.params.parse(params),
    masters: VERSIONS,
    calendarVersion: SAMPLE_MASTER_VERSION,
    hours: { ...calendarSection.parse({}).businessHours, ...hours },
  };
}
