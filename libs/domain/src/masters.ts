/** Master versions in effect for the analysed window (@kansa/masters keeps them; the analyzer and the rules read them). */
export interface MasterVersions {
  staff: number;
  leaves: number;
  accounts: number;
  overtime: number;
  watchlist: number;
  permissions: number;
  residents: number;
  calendar: number;
  assignments: number;
}

/** A master a rule can read (calendar: `calendar_days`, built from calendar.csv). */
export type MasterName = keyof MasterVersions;

export const MASTER_NAMES: readonly MasterName[] = [
  'staff',
  'leaves',
  'accounts',
  'overtime',
  'watchlist',
  'permissions',
  'residents',
  'calendar',
  'assignments',
];
