/**
 * Master data kinds, file names and headers (spec/sources.md "Master data").
 * `optional`: trailing columns a file may leave out altogether (then every
 * row takes their defaults); a file has either none of them or all.
 */
export const MASTERS = {
  staff: { file: 'staff.csv', header: ['職員ID', '氏名', '所属コード', '所属名', '在職区分', '退職日', '宛名番号', '世帯番号'] },
  leaves: { file: 'leaves.csv', header: ['職員ID', '休業種別', '開始日', '終了日'] },
  accounts: { file: 'accounts.csv', header: ['システム', 'アカウントID', '職員ID', '状態', '状態変更日'] },
  overtime: { file: 'overtime.csv', header: ['職員ID', '日付', '開始時刻', '終了時刻', '承認者'] },
  watchlist: { file: 'watchlist.csv', header: ['区分', '宛名番号', '統合宛名番号', '開始日', '終了日', '担当所属コード'] },
  permissions: { file: 'permissions.csv', header: ['所属コード', 'システム', '業務コード'] },
  residents: { file: 'residents.csv', header: ['宛名番号', '統合宛名番号', '世帯番号'], optional: ['住所コード', '異動区分', '異動日'] },
  calendar: { file: 'calendar.csv', header: ['日付', '区分', '備考'] },
  assignments: { file: 'assignments.csv', header: ['担当種別', '所属コード', '職員ID', '世帯番号', '宛名番号', '開始日', '終了日'] },
} as const;

export type MasterKind = keyof typeof MASTERS;

/** The trailing columns a master's file may leave out (none for most). */
export function optionalColumns(kind: MasterKind): readonly string[] {
  const m = MASTERS[kind];
  return 'optional' in m ? m.optional : [];
}
