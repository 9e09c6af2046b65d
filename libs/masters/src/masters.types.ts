/** Master data kinds, file names and headers (spec/sources.md "Master data"). */
export const MASTERS = {
  staff: { file: 'staff.csv', header: ['職員ID', '氏名', '所属コード', '所属名', '在職区分', '退職日', '宛名番号', '世帯番号'] },
  leaves: { file: 'leaves.csv', header: ['職員ID', '休業種別', '開始日', '終了日'] },
  accounts: { file: 'accounts.csv', header: ['システム', 'アカウントID', '職員ID', '状態', '状態変更日'] },
  overtime: { file: 'overtime.csv', header: ['職員ID', '日付', '開始時刻', '終了時刻', '承認者'] },
  watchlist: { file: 'watchlist.csv', header: ['区分', '宛名番号', '統合宛名番号', '開始日', '終了日', '担当所属コード'] },
  permissions: { file: 'permissions.csv', header: ['所属コード', 'システム', '業務コード'] },
  residents: { file: 'residents.csv', header: ['宛名番号', '統合宛名番号', '世帯番号'] },
  calendar: { file: 'calendar.csv', header: ['日付', '区分', '備考'] },
} as const;

export type MasterKind = keyof typeof MASTERS;
