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

/** Each master as staff name it (the console, the audit trail's account of a load). */
export const MASTER_TITLES: Readonly<Record<MasterName, string>> = {
  staff: '職員',
  leaves: '休業',
  accounts: 'アカウント',
  overtime: '時間外勤務命令',
  watchlist: '要保護対象者',
  permissions: '所属ごとの利用権限',
  residents: '住民 (宛名番号・統合宛名番号)',
  calendar: '開庁日カレンダー',
  assignments: '担当割当',
};

/** A master's title; one kansa does not know by its name. */
export function masterTitle(master: string): string {
  return (MASTER_TITLES as Record<string, string>)[master] ?? master;
}
