/**
 * Section and table numbers of the report, in order: the table of contents
 * of every format, and what the summary's sentences refer to. Every number
 * has content (an empty table says so in words).
 */
export const SECTIONS = {
  summary: '1 総括・所見',
  scope: '2 分析対象',
  rules: '3 適用ルール',
  results: '4 ルール別結果',
  findings: '5 検知一覧',
  accounts: '6 アカウント棚卸し',
  access: '7 アクセス統計',
  carried: '8 前月以前からの継続案件',
  integrity: '9 証跡（ログの完全性の確認）',
  usage: '10 kansa 自体の利用状況',
  casework: '11 事案・例外承認・監査記録',
  explanations: '12 アクセスの説明',
} as const;
export type SectionKey = keyof typeof SECTIONS;
export const SECTION_ORDER = Object.keys(SECTIONS) as SectionKey[];

/** Numbers of the tables and charts inside sections. */
export const PARTS = {
  serious: '1-1',
  comparison: '1-2',
  trend: '1-3',
  daily: '2-1',
  intake: '2-2',
  rejected: '2-3',
  setAside: '2-4',
  missing: '2-5',
  calendar: '2-6',
  excused: '2-7',
  runs: '2-8',
  absentees: '6-1',
  unused: '6-2',
  dailyChart: '7-1',
  heatmap: '7-2',
  topUsers: '7-3',
  offHours: '7-4',
  chains: '9-1',
  cases: '11-1',
  patterns: '11-2',
  exceptions: '11-3',
  changeCounts: '11-4',
  changes: '11-5',
  shares: '12-1',
  flaggedByStaff: '12-2',
} as const;
