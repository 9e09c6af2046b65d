import { dualMonth, eraDate, westernDate } from '../model/era-date';
import type { MonthlyReport } from '../model/report.model';

export type CellKind = 'text' | 'int' | 'date' | 'datetime';
export type Cell = string | number | null;

export interface ReportColumn {
  header: string;
  kind: CellKind;
  /** Relative width in the PDF/HTML and characters in XLSX. */
  width: number;
  /** false: left out of the PDF (kept in HTML, XLSX and CSV). */
  pdf?: boolean;
  /** Long codes (SHA-256): a smaller type in the PDF, kept on one line where it fits. */
  code?: boolean;
}

/** One table of the report: the same rows in PDF, HTML and XLSX (one sheet each). */
export interface ReportTable {
  section: SectionKey;
  /** Section number and title, e.g. 「2-1 システム別・日別ログ件数」. */
  title: string;
  /** XLSX sheet name (≤ 31 characters, no []:*?/\). */
  sheet: string;
  note?: string;
  columns: ReportColumn[];
  rows: Cell[][];
  /** A closing row (totals), kept apart from the data rows for filters. */
  footer?: Cell[];
  /** Shown instead of an empty table. */
  empty: string;
  /** false: left out of the PDF (a chart there shows the same numbers). */
  pdf?: boolean;
}

const col = (header: string, kind: CellKind, width: number): ReportColumn => ({ header, kind, width });

export const REPORT_TITLE = '特定個人情報取扱システム ログ分析結果報告書';

export function reportTitle(r: MonthlyReport): string {
  return `${REPORT_TITLE}（${dualMonth(r.month).replace(/（.*/, '')}分）`;
}

export function periodText(r: MonthlyReport): string {
  return `${eraDate(r.period.from)} 〜 ${eraDate(r.period.to)}（${westernDate(r.period.from)} 〜 ${westernDate(r.period.to)}）`;
}

/** Section titles, in order (the table of contents of every format). */
export const SECTIONS = {
  cover: '1 表紙',
  scope: '2 分析対象',
  rules: '3 適用ルールとパラメータ',
  results: '4 ルール別結果',
  findings: '5 検知一覧',
  accounts: '6 アカウント棚卸し',
  charts: '7 グラフ',
  carried: '8 前月以前からの継続案件',
  integrity: '9 完全性の確認',
  usage: '10 kansa 自体の利用状況',
} as const;
export type SectionKey = keyof typeof SECTIONS;

export const FINDINGS_COLUMNS: ReportColumn[] = [
  col('日付', 'date', 10),
  col('時刻', 'text', 6),
  col('利用者ID', 'text', 9),
  col('氏名', 'text', 10),
  col('所属', 'text', 10),
  col('ルール', 'text', 13),
  col('内容', 'text', 28),
  col('件数', 'int', 7),
  col('確認結果', 'text', 12),
  col('確認者', 'text', 9),
  col('確認日時', 'datetime', 14),
  col('対応内容', 'text', 20),
  { ...col('検知ID', 'text', 12), pdf: false },
];

function findingCells(r: MonthlyReport['findings'][number]): Cell[] {
  return [
    r.day,
    r.time,
    r.userId,
    r.name,
    r.department,
    r.ruleTitle,
    r.summary,
    r.count,
    r.statusTitle,
    r.reviewer,
    r.reviewedAt || null,
    r.comment,
    r.id,
  ];
}

export function findingsTable(r: MonthlyReport): ReportTable {
  return {
    section: 'findings',
    title: `${SECTIONS.findings}`,
    sheet: '5 検知一覧',
    columns: FINDINGS_COLUMNS,
    rows: r.findings.map(findingCells),
    empty: '対象月の検知はありません。',
  };
}

/** Every table of the report in order (the cover and charts are drawn apart). */
export function reportTables(r: MonthlyReport): ReportTable[] {
  const sources = r.scope.sources;
  const tables: ReportTable[] = [];
  tables.push({
    section: 'scope',
    title: '2-1 システム別・日別ログ件数',
    sheet: '2-1 日別ログ件数',
    note: '網掛けの行は閉庁日です。開庁日に0件のシステムは 2-2 に記載しています。',
    columns: [
      col('日付', 'date', 11),
      col('曜日', 'text', 4),
      col('区分', 'text', 14),
      ...sources.map((s) => col(s.title, 'int', 12)),
      col('合計', 'int', 10),
    ],
    rows: r.scope.days.map((d) => [
      d.day,
      d.weekday,
      d.businessDay ? '開庁日' : d.label || '閉庁日',
      ...sources.map((s) => d.counts[s.id]),
      d.total,
    ]),
    footer: ['合計', '', '', ...sources.map((s) => r.scope.totals[s.id]), r.scope.total],
    empty: 'ログがありません。',
  });
  tables.push({
    section: 'scope',
    title: '2-2 ログ未収集日（開庁日にログが1件もないシステム）',
    sheet: '2-2 ログ未収集日',
    columns: [col('日付', 'date', 12), col('曜日', 'text', 5), col('システム', 'text', 24), col('備考', 'text', 30)],
    rows: r.scope.missing.map((m) => [m.day, r.scope.days.find((d) => d.day === m.day)?.weekday ?? '', m.sourceTitle, '開庁日にログなし']),
    empty: 'すべての開庁日についてすべてのシステムのログを確認しました。',
  });
  tables.push({
    section: 'scope',
    title: '2-3 実施した分析',
    sheet: '2-3 分析実行履歴',
    columns: [
      col('開始', 'datetime', 14),
      col('終了', 'datetime', 14),
      col('種別', 'text', 9),
      col('対象期間（自）', 'date', 11),
      col('対象期間（至）', 'date', 11),
      col('ルール数', 'int', 7),
      col('結果', 'text', 8),
      col('検知件数', 'int', 8),
      col('実行ID', 'text', 14),
    ],
    rows: r.runs.map((x) => [
      x.startedAt,
      x.finishedAt,
      runKind(x.kind),
      x.fromDay,
      x.toDay,
      x.rules.length,
      runStatus(x.status, x.error),
      x.findings,
      x.runId,
    ]),
    empty: '対象月を含む分析の実行記録がありません。',
  });
  tables.push({
    section: 'rules',
    title: SECTIONS.rules,
    sheet: '3 適用ルール',
    columns: [
      col('ルールID', 'text', 14),
      col('名称', 'text', 16),
      col('重要度', 'text', 6),
      col('版', 'int', 4),
      col('パラメータ', 'text', 30),
      col('分析済日数', 'int', 8),
    ],
    rows: r.rules.map((x) => [x.id, x.title, x.severity, x.version, x.params, x.daysAnalysed]),
    empty: '適用されたルールがありません。',
  });
  tables.push({
    section: 'results',
    title: SECTIONS.results,
    sheet: '4 ルール別結果',
    columns: [
      col('ルール', 'text', 18),
      col('検知', 'int', 7),
      col('確認済', 'int', 7),
      col('問題なし', 'int', 8),
      col('要対応', 'int', 7),
      col('誤検知', 'int', 7),
      col('未確認', 'int', 7),
    ],
    rows: r.ruleResults.map((x) => [x.title, x.found, x.reviewed, x.noIssue, x.actionRequired, x.falsePositive, x.open]),
    footer: [
      '合計',
      ...(['found', 'reviewed', 'noIssue', 'actionRequired', 'falsePositive', 'open'] as const).map((k) =>
        r.ruleResults.reduce((a, x) => a + x[k], 0),
      ),
    ],
    empty: 'ルールがありません。',
  });
  tables.push(findingsTable(r));
  tables.push({
    section: 'accounts',
    title: `6-1 長期不在者（${r.accountReview.longLeaveDays}日以上の休業）・退職者のID`,
    sheet: '6-1 長期不在者ID',
    columns: [
      col('職員ID', 'text', 9),
      col('氏名', 'text', 10),
      col('所属', 'text', 10),
      col('事由', 'text', 9),
      col('開始日', 'date', 10),
      col('終了日', 'date', 10),
      col('システム', 'text', 14),
      col('アカウントID', 'text', 10),
      col('状態', 'text', 6),
      col('当月利用', 'int', 7),
      col('判定', 'text', 16),
    ],
    rows: r.accountReview.absentees.map((a) => [
      a.staffId,
      a.name,
      a.department,
      a.reason,
      a.from,
      a.to || null,
      a.system,
      a.accountId,
      a.state,
      a.eventsInMonth,
      a.assessment,
    ]),
    empty: '該当する職員はいません。',
  });
  tables.push({
    section: 'accounts',
    title: `6-2 未使用ID（有効なIDで${r.accountReview.unusedDays}日以上ログインなし）`,
    sheet: '6-2 未使用ID',
    note: r.accountReview.unusedNote,
    columns: [
      col('システム', 'text', 14),
      col('アカウントID', 'text', 10),
      col('職員ID', 'text', 9),
      col('氏名', 'text', 10),
      col('所属', 'text', 10),
      col('状態', 'text', 6),
      col('最終ログイン日', 'date', 11),
      col('経過日数', 'int', 8),
    ],
    rows: r.accountReview.unused.map((u) => [
      u.system,
      u.accountId,
      u.staffId,
      u.name,
      u.department,
      u.state,
      u.lastLogin || null,
      u.daysSince,
    ]),
    empty: r.accountReview.unusedJudged ? '該当するIDはありません。' : '（判定保留）',
  });
  tables.push({
    section: 'charts',
    title: '7-2 曜日・時間帯別アクセス件数（表）',
    sheet: '7-2 曜日時間帯別',
    pdf: false,
    note: '列は時刻（0時〜23時）の1時間ごとのアクセス件数です。',
    columns: [col('曜日', 'text', 5), ...Array.from({ length: 24 }, (_, h) => col(`${h}`, 'int', 4)), col('合計', 'int', 8)],
    rows: ['月', '火', '水', '木', '金', '土', '日'].map((d, i) => [
      d,
      ...r.charts.heatmap[i],
      r.charts.heatmap[i].reduce((a, b) => a + b, 0),
    ]),
    empty: '',
  });
  tables.push({
    section: 'charts',
    title: '7-3 アクセス件数の多い利用者（表）',
    sheet: '7-3 利用者上位',
    columns: [
      col('順位', 'int', 5),
      col('利用者ID', 'text', 10),
      col('氏名', 'text', 12),
      col('所属', 'text', 14),
      col('アクセス件数', 'int', 10),
    ],
    rows: r.charts.topUsers.map((u, i) => [i + 1, u.userId, u.name, u.department, u.count]),
    empty: 'アクセスがありません。',
  });
  tables.push({
    section: 'charts',
    title: '7-4 所属別の時間外アクセス（表）',
    sheet: '7-4 所属別時間外',
    columns: [col('所属コード', 'text', 10), col('所属', 'text', 16), col('検知件数', 'int', 9), col('アクセス件数', 'int', 10)],
    rows: r.charts.offHoursByDepartment.map((d) => [d.departmentCode, d.department, d.findings, d.events]),
    empty: '時間外アクセスの検知はありません。',
  });
  tables.push({
    section: 'carried',
    title: SECTIONS.carried,
    sheet: '8 継続案件',
    note: '前月以前に検知され、未確認・確認中・要対応のまま完了していない案件です。',
    columns: FINDINGS_COLUMNS,
    rows: r.carriedOver.map(findingCells),
    empty: '継続中の案件はありません。',
  });
  tables.push({
    section: 'integrity',
    title: '9-1 ログの完全性（改ざん検知チェーン）',
    sheet: '9 完全性',
    columns: [
      col('システム', 'text', 14),
      col('取込バッチ数', 'int', 9),
      col('最終連番', 'int', 8),
      col('最終取込', 'datetime', 14),
      { ...col('チェーン先頭値 (SHA-256)', 'text', 44), code: true },
    ],
    rows: r.integrity.chains.map((c) => [c.sourceTitle, c.batches, c.seq, c.lastImport, c.chainHash]),
    footer: ['報告内容の要約値 (SHA-256)', null, null, null, r.integrity.dataDigest],
    empty: '対象月のログの取込記録がありません。',
  });
  tables.push({
    section: 'usage',
    title: SECTIONS.usage,
    sheet: '10 kansa の利用状況',
    note: 'kansa の監査ログから: ログイン (失敗を含む)、目的つきの個人情報の参照・出力、検知の確認、利用者・マスタ・報告書の変更の件数です。',
    columns: [col('操作', 'text', 20), col('結果', 'text', 8), col('件数', 'int', 8), col('人数', 'int', 8)],
    rows: r.usage.map((u) => [
      u.title,
      ({ ok: '成功', failed: '失敗', refused: '拒否' } as Record<string, string>)[u.outcome] ?? u.outcome,
      u.count,
      u.people,
    ]),
    empty: '対象月に kansa の利用記録はありません。',
  });
  return tables;
}

function runKind(kind: string): string {
  return (
    (
      {
        incremental: '随時',
        daily: '日次',
        manual: '手動',
        due: '未分析分（手動）',
        catchup: '未分析分',
        'catch-up': '未分析分',
        demo: 'デモ',
      } as Record<string, string>
    )[kind] ?? kind
  );
}

function runStatus(status: string, error: string): string {
  const s =
    (
      {
        ok: '正常終了',
        done: '正常終了',
        finished: '正常終了',
        succeeded: '正常終了',
        running: '実行中',
        failed: '異常終了',
        error: '異常終了',
      } as Record<string, string>
    )[status] ?? status;
  return error ? `${s}（${error.slice(0, 40)}）` : s;
}
