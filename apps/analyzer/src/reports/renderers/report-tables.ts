import { AUDIT_OUTCOME_TITLES, formatCount as fmt } from '@kansa/domain';
import { dualMonth, eraDate, westernDate } from '../model/era-date';
import { RECHECK_STEPS } from '../model/integrity';
import { PARTS, SECTIONS, SECTION_ORDER, SectionKey } from '../model/report-sections';
import { progressText } from '../model/report-status';
import type { Explanations, FindingRow, MonthlyReport } from '../model/report.model';

/**
 * The report as an outline of sections and blocks (text, tables, charts), the
 * same for PDF and HTML; XLSX takes its tables (one sheet each) and CSV the
 * findings table. What every format shows is decided here, once.
 */

/** text; int (thousands separators); date 'YYYY-MM-DD'; time 'HH:MM'; datetime 'YYYY-MM-DD HH:MM'; code (SHA-256). */
export type CellKind = 'text' | 'int' | 'date' | 'time' | 'datetime' | 'code';
export type Cell = string | number | null;

export interface ReportColumn {
  header: string;
  kind: CellKind;
  /** Width in characters of the XLSX column; relative share of the PDF/HTML table for long text. */
  width: number;
  /** false: left out of the PDF and the printed HTML (kept in XLSX and CSV): identifiers nobody reads on paper. */
  pdf?: boolean;
}

/** How a row stands out: closed days shaded; 重大/高 findings, urgent IDs and withheld rules marked. */
export type RowStyle = 'closed' | 'critical' | 'high' | 'urgent' | 'warn' | 'withheld' | 'subtotal' | null;

/** One table of the report: the same rows in PDF, HTML and XLSX (one sheet each). */
export interface ReportTable {
  /** Stable key (data-table in HTML). */
  key: string;
  section: SectionKey;
  /** Number and title, e.g. 「2-1 システム別・日別ログ件数」. */
  title: string;
  /** XLSX sheet name (≤ 31 characters, no []:*?/\). */
  sheet: string;
  /** Sentences printed under the title (and below the table in XLSX). */
  notes?: string[];
  columns: ReportColumn[];
  rows: Cell[][];
  rowStyles?: RowStyle[];
  /** A closing row (totals), kept apart from the data rows for filters. */
  footer?: Cell[];
  /** Shown instead of an empty table. */
  empty: string;
  /** false: left out of the PDF (a chart there shows the same numbers). */
  pdf?: boolean;
}

export type Block =
  | { kind: 'text'; title?: string; lines: string[]; numbered?: boolean; emphasis?: 'verdict-ok' | 'verdict-bad' | 'status' }
  | { kind: 'table'; table: ReportTable }
  | { kind: 'chart'; index: number };

export interface Section {
  key: SectionKey;
  title: string;
  /** Landscape pages in the PDF and when printed (wide tables keep readable columns). */
  wide: boolean;
  blocks: Block[];
}

const col = (header: string, kind: CellKind, width: number, pdf?: boolean): ReportColumn => ({
  header,
  kind,
  width,
  ...(pdf === false ? { pdf } : {}),
});

export const REPORT_TITLE = '特定個人情報取扱システム ログ分析結果報告書';

export function reportTitle(r: MonthlyReport): string {
  return `${REPORT_TITLE}（${dualMonth(r.month).replace(/（.*/, '')}分）`;
}

export function periodText(r: MonthlyReport): string {
  return `${eraDate(r.period.from)} 〜 ${eraDate(r.period.to)}（${westernDate(r.period.from)} 〜 ${westernDate(r.period.to)}）`;
}

/** The organisation as the cover prints it; an unset name says so rather than printing a placeholder. */
export function organisationName(r: MonthlyReport): string {
  return r.organisation.name.trim() || '（団体名未設定：設定ファイルの organisation.name）';
}

/** A SHA-256 in groups of eight, readable and comparable by eye: 3f2a9c1b 77e0d1aa … */
export function groupedHash(hex: string): string {
  return hex.replace(/(.{8})(?=.)/g, '$1 ');
}

/** A cell as PDF and HTML print it: counts with separators (「－」 when there is none), SHA-256 in groups. */
export function cellText(v: Cell, kind: CellKind): string {
  if (v === null || v === undefined) return kind === 'int' ? '－' : '';
  if (typeof v === 'number') return kind === 'int' ? fmt(v) : String(v);
  return kind === 'code' ? groupedHash(v) : v;
}

/** The cover's facts, in order (PDF, HTML and the XLSX 概要 sheet). */
export function coverFacts(r: MonthlyReport): Array<[string, string]> {
  return [
    ['対象期間', periodText(r)],
    ['対象システム', r.scope.sources.map((s) => s.title).join('、') || '（ログなし）'],
    ['ログ件数', `${fmt(r.scope.total)} 件`],
    [
      '検知件数',
      `${fmt(r.review.found)} 件（${r.ruleResults.filter((x) => x.judgement === 'withheld').length ? '判定保留のルールあり、' : ''}重大・高 ${fmt(r.summary.serious.length)} 件）`,
    ],
    ['確認の状況', progressText(r.review)],
    ['継続案件', `${fmt(r.carriedOver.length)} 件`],
    ['作成', `${organisationName(r)}　${r.organisation.office}`],
  ];
}

const FINDING_COLUMNS: ReportColumn[] = [
  col('日付', 'date', 10),
  col('時刻', 'time', 5),
  col('重要度', 'text', 4),
  col('ルール', 'text', 14),
  col('利用者ID', 'text', 8),
  col('氏名', 'text', 9),
  col('所属', 'text', 9),
  col('内容', 'text', 28),
  col('件数', 'int', 6),
  col('単位', 'text', 3),
  col('確認結果', 'text', 14),
  col('確認者', 'text', 10),
  col('確認日時', 'datetime', 14),
  col('対応内容', 'text', 22),
  col('検知ID', 'text', 12, false),
];

function findingCells(f: FindingRow): Cell[] {
  return [
    f.day,
    f.time || null,
    f.severity,
    f.ruleTitle,
    f.userId,
    f.name,
    f.department,
    f.summary,
    f.count,
    f.unit,
    f.statusTitle,
    f.reviewer,
    f.reviewedAt || null,
    f.comment,
    f.id,
  ];
}

const severityStyle = (f: FindingRow): RowStyle => (f.severityRank === 0 ? 'critical' : f.severityRank === 1 ? 'high' : null);

/** The findings list: the CSV is exactly this table. */
export function findingsTable(r: MonthlyReport): ReportTable {
  return {
    key: 'findings',
    section: 'findings',
    title: SECTIONS.findings,
    sheet: '5 検知一覧',
    notes: [
      `確認の状況：${progressText(r.review)}。確認結果・確認者・確認日時は判断（問題なし・要対応・誤検知）の記録、対応内容はその際の記録です。`,
    ],
    columns: FINDING_COLUMNS,
    rows: r.findings.map(findingCells),
    rowStyles: r.findings.map(severityStyle),
    empty: '対象月の検知はありません。',
  };
}

function summarySection(r: MonthlyReport): Section {
  const t = r.summary.trend;
  const last = t.months.length - 1;
  const diff = (a: number | null, b: number | null): Cell => (a === null || b === null ? null : a - b);
  const monthHead = (m: string) => m;
  const blocks: Block[] = [
    { kind: 'text', lines: [r.status.text], emphasis: 'status' },
    ...r.summary.paragraphs.map((p): Block => ({ kind: 'text', title: p.heading, lines: p.lines })),
    {
      kind: 'table',
      table: {
        key: 'serious',
        section: 'summary',
        title: `${PARTS.serious} 重要度「重大」「高」の検知（重要度の高い順）`,
        sheet: `${PARTS.serious} 重大・高の検知`,
        columns: [
          col('重要度', 'text', 4),
          col('日付', 'date', 10),
          col('時刻', 'time', 5),
          col('ルール', 'text', 12),
          col('利用者', 'text', 14),
          col('内容', 'text', 30),
          col('件数', 'int', 6),
          col('単位', 'text', 3),
          col('確認結果', 'text', 11),
        ],
        rows: r.summary.serious.map((f) => [
          f.severity,
          f.day,
          f.time || null,
          f.ruleTitle,
          [f.userId, f.name].filter(Boolean).join(' '),
          f.summary,
          f.count,
          f.unit,
          f.statusTitle,
        ]),
        rowStyles: r.summary.serious.map(severityStyle),
        empty: '重要度「重大」「高」の検知はありません。',
      },
    },
    {
      kind: 'table',
      table: {
        key: 'comparison',
        section: 'summary',
        title: `${PARTS.comparison} 前月との比較（ルール別の検知件数）`,
        sheet: `${PARTS.comparison} 前月との比較`,
        notes: t.analysed[last - 1] ? undefined : ['前月は分析されていないため、前月の欄は「－」です。'],
        columns: [col('ルール', 'text', 16), col('重要度', 'text', 4), col('前月', 'int', 6), col('当月', 'int', 6), col('増減', 'int', 6)],
        rows: t.rules.map((x) => [x.title, x.severity, x.counts[last - 1], x.counts[last], diff(x.counts[last], x.counts[last - 1])]),
        footer: ['合計', '', t.totals[last - 1], t.totals[last], diff(t.totals[last], t.totals[last - 1])],
        empty: 'ルールがありません。',
      },
    },
    {
      kind: 'table',
      table: {
        key: 'trend',
        section: 'summary',
        title: `${PARTS.trend} 過去12か月の推移（ルール別・重要度別の検知件数）`,
        sheet: `${PARTS.trend} 12か月の推移`,
        notes: ['「－」は分析していない月です。'],
        columns: [col('ルール', 'text', 14), col('重要度', 'text', 4), ...t.months.map((m) => col(monthHead(m), 'int', 7))],
        rows: [
          ...t.rules.map((x): Cell[] => [x.title, x.severity, ...x.counts]),
          ...t.severities.map((x): Cell[] => [`重要度「${x.severity}」の計`, x.severity, ...x.counts]),
        ],
        rowStyles: [...t.rules.map(() => null), ...t.severities.map((): RowStyle => 'subtotal')],
        footer: ['合計', '', ...t.totals],
        empty: 'ルールがありません。',
      },
    },
  ];
  return { key: 'summary', title: SECTIONS.summary, wide: false, blocks };
}

function scopeSection(r: MonthlyReport): Section {
  const sources = r.scope.sources;
  const business = r.scope.days.filter((d) => d.businessDay).length;
  const i = r.intake;
  const sum = (k: 'batches' | 'read' | 'stored' | 'duplicates' | 'rejected' | 'other') => i.systems.reduce((a, s) => a + s[k], 0);
  const weekdayOf = (day: string) => r.scope.days.find((d) => d.day === day)?.weekday ?? '';
  const blocks: Block[] = [
    {
      kind: 'text',
      lines: [
        `対象期間：${periodText(r)}（${r.scope.days.length}日間、うち開庁日 ${business}日）`,
        `対象システム：${sources.map((s) => `${s.title} ${fmt(r.scope.totals[s.id])}件`).join('、') || 'なし'}　合計 ${fmt(r.scope.total)}件`,
      ],
    },
    {
      kind: 'table',
      table: {
        key: 'daily',
        section: 'scope',
        title: `${PARTS.daily} システム別・日別ログ件数`,
        sheet: `${PARTS.daily} 日別ログ件数`,
        notes: [
          '網掛けの行は閉庁日です。区分には暦の注記（休日開庁など）を示します。開庁日に0件のシステムは ' +
            PARTS.missing +
            ' に記載しています。',
        ],
        columns: [
          col('日付', 'date', 11),
          col('曜日', 'text', 4),
          col('区分', 'text', 18),
          ...sources.map((s) => col(s.title, 'int', 12)),
          col('合計', 'int', 10),
        ],
        rows: r.scope.days.map((d) => [d.day, d.weekday, d.label, ...sources.map((s) => d.counts[s.id]), d.total]),
        rowStyles: r.scope.days.map((d) => (d.businessDay ? null : 'closed')),
        footer: ['合計', '', '', ...sources.map((s) => r.scope.totals[s.id]), r.scope.total],
        empty: 'ログがありません。',
      },
    },
    {
      kind: 'table',
      table: {
        key: 'intake',
        section: 'scope',
        title: `${PARTS.intake} 取込の状況（読み込んだ行と保存したログ）`,
        sheet: `${PARTS.intake} 取込の状況`,
        notes: i.notes,
        columns: [
          col('システム', 'text', 16),
          col('取込単位', 'int', 8),
          col('読込行数', 'int', 10),
          col('保存', 'int', 10),
          col('重複', 'int', 8),
          col('除外', 'int', 8),
          col('見出し・空行', 'int', 9),
        ],
        rows: i.systems.map((s) => [s.title, s.batches, s.read, s.stored, s.duplicates, s.rejected, s.other]),
        footer: ['合計', sum('batches'), sum('read'), sum('stored'), sum('duplicates'), sum('rejected'), sum('other')],
        empty: '対象月のログの取込記録がありません。',
      },
    },
    {
      kind: 'table',
      table: {
        key: 'rejected',
        section: 'scope',
        title: `${PARTS.rejected} 除外した行の理由（形式の誤り）`,
        sheet: `${PARTS.rejected} 除外した行`,
        notes: ['除外した行は理由とともに保管しています（元の行は kansa の隔離領域で確認できます）。'],
        columns: [col('システム', 'text', 16), col('項目', 'text', 10), col('理由', 'text', 36), col('行数', 'int', 8)],
        rows: i.reasons.map((x) => [x.title, x.field, x.reason, x.lines]),
        footer: i.reasons.length ? ['合計', '', '', i.reasons.reduce((a, x) => a + x.lines, 0)] : undefined,
        empty: '形式の誤りで除外した行はありません。',
      },
    },
    {
      kind: 'table',
      table: {
        key: 'set-aside',
        section: 'scope',
        title: `${PARTS.setAside} 取込を保留しているバッチ`,
        sheet: `${PARTS.setAside} 保留中のバッチ`,
        columns: [
          col('システム', 'text', 14),
          col('取込元', 'text', 28),
          col('行数', 'int', 8),
          col('理由', 'text', 30),
          col('保留日時', 'datetime', 14),
        ],
        rows: i.setAside.map((s) => [s.title, s.origin, s.lines, s.reason, s.since]),
        rowStyles: i.setAside.map((): RowStyle => 'warn'),
        empty: '取込を保留しているバッチはありません。',
      },
    },
    {
      kind: 'table',
      table: {
        key: 'missing',
        section: 'scope',
        title: `${PARTS.missing} ログ未収集日（開庁日にログが1件もないシステム）`,
        sheet: `${PARTS.missing} ログ未収集日`,
        columns: [col('日付', 'date', 12), col('曜日', 'text', 5), col('システム', 'text', 24), col('区分', 'text', 24)],
        rows: r.scope.missing.map((m) => [m.day, weekdayOf(m.day), m.sourceTitle, m.label]),
        rowStyles: r.scope.missing.map((): RowStyle => 'warn'),
        empty: 'すべての開庁日について、すべてのシステムのログがあります。',
      },
    },
    {
      kind: 'table',
      table: {
        key: 'calendar',
        section: 'scope',
        title: `${PARTS.calendar} 暦の注記（休日開庁・臨時閉庁など）`,
        sheet: `${PARTS.calendar} 暦の注記`,
        columns: [
          col('日付', 'date', 12),
          col('曜日', 'text', 5),
          col('区分', 'text', 6),
          col('備考', 'text', 26),
          col('分析への影響', 'text', 40),
        ],
        rows: r.scope.calendarNotes.map((n) => [n.day, n.weekday, n.kind, n.note, n.effect]),
        empty: '対象月に暦の注記（calendar.csv の開庁・閉庁）はありません。土日・祝日・年末年始は国の暦のとおりです。',
      },
    },
    {
      kind: 'table',
      table: {
        key: 'excused',
        section: 'scope',
        title: `${PARTS.excused} 検知の対象外としたもの（件数のみ）`,
        sheet: `${PARTS.excused} 対象外としたもの`,
        notes: ['ルールの定めにより報告の対象外とした操作の件数です（氏名は記載しません）。'],
        columns: [col('ルール', 'text', 14), col('理由', 'text', 30), col('件数', 'int', 8), col('延べ人日', 'int', 8)],
        rows: r.excused.map((e) => [e.ruleTitle, e.reason, e.events, e.userDays]),
        empty: '対象外とした操作はありません。',
      },
    },
    {
      kind: 'table',
      table: {
        key: 'runs',
        section: 'scope',
        title: `${PARTS.runs} 実施した分析`,
        sheet: `${PARTS.runs} 分析実行履歴`,
        columns: [
          col('開始', 'datetime', 14),
          col('終了', 'datetime', 14),
          col('種別', 'text', 9),
          col('対象期間（自）', 'date', 11),
          col('対象期間（至）', 'date', 11),
          col('ルール数', 'int', 7),
          col('結果', 'text', 10),
          col('検知件数', 'int', 8),
          col('実行ID', 'text', 14, false),
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
      },
    },
  ];
  return { key: 'scope', title: SECTIONS.scope, wide: false, blocks };
}

function rulesSection(r: MonthlyReport): Section {
  const table: ReportTable = {
    key: 'rules',
    section: 'rules',
    title: SECTIONS.rules,
    sheet: '3 適用ルール',
    notes: ['「判定の内容」は月の分析に用いた条件です。「分析の状況」が判定保留のルールは、その理由により対象月を判定していません。'],
    columns: [
      col('ルール', 'text', 13),
      col('重要度', 'text', 4),
      col('判定の内容', 'text', 44),
      col('件数の数え方', 'text', 10),
      col('分析の状況', 'text', 24),
      col('版', 'int', 3),
      col('ルールID', 'text', 16, false),
    ],
    rows: r.rules.map((x) => [x.title, x.severity, x.sentence, x.unit ? `${x.countOf}（${x.unit}）` : x.countOf, x.state, x.version, x.id]),
    rowStyles: r.rules.map((x): RowStyle => (x.judgement === 'judged' ? null : 'withheld')),
    empty: '適用されたルールがありません。',
  };
  return { key: 'rules', title: SECTIONS.rules, wide: false, blocks: [{ kind: 'table', table }] };
}

function resultsSection(r: MonthlyReport): Section {
  const keys = ['found', 'new', 'reviewing', 'noIssue', 'actionRequired', 'falsePositive', 'excepted'] as const;
  const table: ReportTable = {
    key: 'results',
    section: 'results',
    title: SECTIONS.results,
    sheet: '4 ルール別結果',
    notes: [`確認の状況：${progressText(r.review)}`],
    columns: [
      col('ルール', 'text', 14),
      col('重要度', 'text', 4),
      col('検知', 'int', 6),
      col('未確認', 'int', 6),
      col('確認中', 'int', 6),
      col('問題なし', 'int', 7),
      col('要対応', 'int', 6),
      col('誤検知', 'int', 6),
      col('例外適用', 'int', 7),
      col('備考', 'text', 24),
    ],
    rows: r.ruleResults.map((x) =>
      x.judgement === 'withheld' && x.found === 0
        ? [x.title, x.severity, '判定保留', null, null, null, null, null, null, x.note]
        : [x.title, x.severity, ...keys.map((k) => x[k]), x.note],
    ),
    rowStyles: r.ruleResults.map((x): RowStyle => (x.judgement === 'judged' ? null : 'withheld')),
    footer: ['合計', '', ...keys.map((k) => r.ruleResults.reduce((a, x) => a + x[k], 0)), ''],
    empty: 'ルールがありません。',
  };
  return { key: 'results', title: SECTIONS.results, wide: false, blocks: [{ kind: 'table', table }] };
}

function accountsSection(r: MonthlyReport): Section {
  const a = r.accountReview;
  const absentees: ReportTable = {
    key: 'absentees',
    section: 'accounts',
    title: `${PARTS.absentees} 長期休業者（${a.longLeaveDays}日以上）・退職者のID（緊急度の高い順）`,
    sheet: `${PARTS.absentees} 長期不在者ID`,
    notes: ['休業の種別は記載しません（休業中と期間のみ）。「期間中の使用」は、対象月のうち休業期間中・退職日の翌日以降の操作件数です。'],
    columns: [
      col('職員ID', 'text', 9),
      col('氏名', 'text', 10),
      col('所属', 'text', 10),
      col('区分', 'text', 5),
      col('開始日・退職日', 'date', 11),
      col('終了日', 'date', 11),
      col('システム', 'text', 14),
      col('アカウントID', 'text', 10),
      col('状態', 'text', 6),
      col('期間中の使用', 'int', 8),
      col('判定', 'text', 30),
    ],
    rows: a.absentees.map((x) => [
      x.staffId,
      x.name,
      x.department,
      x.absence,
      x.from,
      x.to || null,
      x.system,
      x.accountId,
      x.state,
      x.eventsWhileAbsent,
      x.assessment,
    ]),
    rowStyles: a.absentees.map((x): RowStyle => (x.urgency === 1 ? 'urgent' : x.urgency === 2 ? 'warn' : null)),
    empty: '該当する職員はいません。',
  };
  const unused: ReportTable = {
    key: 'unused',
    section: 'accounts',
    title: `${PARTS.unused} 長期未使用ID（有効なIDで${a.unusedDays}日以上使われていないもの）`,
    sheet: `${PARTS.unused} 長期未使用ID`,
    notes: [a.unusedNote],
    columns: [
      col('システム', 'text', 14),
      col('アカウントID', 'text', 10),
      col('職員ID', 'text', 9),
      col('氏名', 'text', 10),
      col('所属', 'text', 10),
      col('最終利用日', 'date', 11),
      col('経過日数', 'int', 8),
      col('確認結果', 'text', 12),
    ],
    rows: a.unused.map((u) => [u.system, u.accountId, u.staffId, u.name, u.department, u.lastUsed || null, u.daysSince, u.statusTitle]),
    rowStyles: a.unused.map((): RowStyle => (a.unusedJudgement === 'withheld' ? 'withheld' : null)),
    empty: a.unusedJudgement === 'withheld' ? a.unusedNote : '該当するIDはありません。',
  };
  return {
    key: 'accounts',
    title: SECTIONS.accounts,
    wide: true,
    blocks: [
      { kind: 'table', table: absentees },
      { kind: 'table', table: unused },
    ],
  };
}

function accessSection(r: MonthlyReport): Section {
  const blocks: Block[] = [
    { kind: 'text', lines: [r.access.note] },
    { kind: 'chart', index: 0 },
    { kind: 'chart', index: 1 },
    {
      kind: 'table',
      table: {
        key: 'heatmap',
        section: 'access',
        title: `${PARTS.heatmap} 曜日・時間帯別アクセス件数（表）`,
        sheet: `${PARTS.heatmap} 曜日時間帯別`,
        pdf: false,
        notes: ['列は時刻（0時〜23時）の1時間ごとのアクセス件数です。'],
        columns: [col('曜日', 'text', 5), ...Array.from({ length: 24 }, (_, h) => col(`${h}`, 'int', 6)), col('合計', 'int', 9)],
        rows: ['月', '火', '水', '木', '金', '土', '日'].map((d, i) => [
          d,
          ...r.charts.heatmap[i],
          r.charts.heatmap[i].reduce((a, b) => a + b, 0),
        ]),
        footer: ['合計', ...Array.from({ length: 24 }, (_, h) => r.charts.heatmap.reduce((a, row) => a + row[h], 0)), r.access.access],
        empty: '',
      },
    },
    { kind: 'chart', index: 2 },
    {
      kind: 'table',
      table: {
        key: 'top-users',
        section: 'access',
        title: `${PARTS.topUsers} アクセス件数の多い利用者（表）`,
        sheet: `${PARTS.topUsers} 利用者上位`,
        columns: [
          col('順位', 'int', 5),
          col('利用者ID', 'text', 10),
          col('氏名', 'text', 12),
          col('所属', 'text', 14),
          col('アクセス件数', 'int', 11),
        ],
        rows: r.charts.topUsers.map((u, i) => [i + 1, u.userId, u.name, u.department, u.count]),
        empty: 'アクセスがありません。',
      },
    },
    { kind: 'chart', index: 3 },
    {
      kind: 'table',
      table: {
        key: 'off-hours',
        section: 'access',
        title: `${PARTS.offHours} 所属別の時間外アクセス（表）`,
        sheet: `${PARTS.offHours} 所属別時間外`,
        notes: ['時間外アクセスのルールで検知した件数です（承認済みの時間外勤務命令の範囲内は含みません：' + PARTS.excused + '）。'],
        columns: [col('所属コード', 'text', 10), col('所属', 'text', 16), col('検知件数', 'int', 9), col('アクセス件数', 'int', 11)],
        rows: r.charts.offHoursByDepartment.map((d) => [d.departmentCode, d.department, d.findings, d.events]),
        empty: '時間外アクセスの検知はありません。',
      },
    },
  ];
  return { key: 'access', title: SECTIONS.access, wide: false, blocks };
}

function carriedSection(r: MonthlyReport): Section {
  const table: ReportTable = {
    key: 'carried',
    section: 'carried',
    title: SECTIONS.carried,
    sheet: '8 継続案件',
    notes: ['前月以前に検知され、未確認・確認中、または要対応のまま完了していない案件です。'],
    columns: FINDING_COLUMNS,
    rows: r.carriedOver.map(findingCells),
    rowStyles: r.carriedOver.map(severityStyle),
    empty: '継続中の案件はありません。',
  };
  return { key: 'carried', title: SECTIONS.carried, wide: true, blocks: [{ kind: 'table', table }] };
}

function integritySection(r: MonthlyReport): Section {
  const v = r.integrity.verification;
  const chains: ReportTable = {
    key: 'chains',
    section: 'integrity',
    title: `${PARTS.chains} システム別の改ざん検知チェーン（作成時点の先頭）`,
    sheet: '9 証跡',
    notes: [
      '各システムのログは取込単位（バッチ）ごとに、前のバッチの値を含めた SHA-256 の連鎖（チェーン）で記録しています。先頭値は最新のバッチまでの全体を表します。',
    ],
    columns: [
      col('システム', 'text', 16),
      col('最新の連番', 'int', 8),
      col('チェーン先頭値（SHA-256）', 'code', 70),
      col('最終取込', 'datetime', 14),
      col('当月分のバッチ', 'text', 14),
    ],
    rows: r.integrity.chains.map((c) => [
      c.sourceTitle,
      c.seq,
      c.chainHash,
      c.lastImport,
      c.monthBatches ? `${fmt(c.monthBatches)}件（連番 ${c.monthSeqFrom}〜${c.monthSeqTo}）` : 'なし',
    ]),
    empty: 'ログの取込記録がありません。',
  };
  return {
    key: 'integrity',
    title: SECTIONS.integrity,
    wide: false,
    blocks: [
      { kind: 'text', lines: [v.verdict, ...v.details], emphasis: v.state === 'ok' ? 'verdict-ok' : 'verdict-bad' },
      { kind: 'table', table: chains },
      {
        kind: 'text',
        title: '報告内容の要約値（SHA-256）',
        lines: [
          groupedHash(r.integrity.dataDigest),
          '本報告書の内容（作成日時と検証結果を除く）から計算した値で、PDF・HTML・Excel の各形式で同じです。同じ月のデータが変わらなければ、作り直しても同じ値になります。',
        ],
      },
      { kind: 'text', title: '再検証の方法', lines: RECHECK_STEPS, numbered: true },
    ],
  };
}

/** kansa's own audit log of the month (docs/console.md): who used kansa, and how, in counts. */
function usageSection(r: MonthlyReport): Section {
  const table: ReportTable = {
    key: 'usage',
    section: 'usage',
    title: SECTIONS.usage,
    sheet: '10 kansa の利用状況',
    notes: [
      'kansa の監査ログから: ログイン（失敗を含む）、目的つきの個人情報の参照・出力、検知の確認、利用者・マスタ・報告書の変更の件数です。',
    ],
    columns: [col('操作', 'text', 20), col('結果', 'text', 8), col('件数', 'int', 8), col('人数', 'int', 8)],
    rows: r.usage.map((u) => [u.title, AUDIT_OUTCOME_TITLES[u.outcome] ?? u.outcome, u.count, u.people]),
    empty: '対象月に kansa の利用記録はありません。',
  };
  return { key: 'usage', title: SECTIONS.usage, wide: false, blocks: [{ kind: 'table', table }] };
}

/** 事案・例外承認・監査記録 (docs/casework.md): what officers followed up in the month. Staff only, never a resident. */
function caseworkSection(r: MonthlyReport): Section {
  const c = r.casework;
  const table = (t: Omit<ReportTable, 'section'>): Block => ({ kind: 'table', table: { ...t, section: 'casework' } });
  return {
    key: 'casework',
    title: SECTIONS.casework,
    wide: true,
    blocks: [
      table({
        key: 'cases',
        title: `${PARTS.cases} 事案（終結していないもの）`,
        sheet: `${PARTS.cases} 事案`,
        notes: ['報告書の作成時点で終結していない事案です（更新の新しい順）。検知件数は事案に紐づけた検知の数です。'],
        columns: [
          col('事案ID', 'text', 18),
          col('職員ID', 'text', 9),
          col('氏名', 'text', 10),
          col('件名', 'text', 30),
          col('状態', 'text', 6),
          col('担当者', 'text', 10),
          col('検知件数', 'int', 7),
          col('受付日', 'date', 11),
        ],
        rows: c.cases.map((x) => [x.id, x.userId, x.name, x.title, x.state, x.owner, x.findings, x.openedAt]),
        empty: '終結していない事案はありません。',
      }),
      table({
        key: 'patterns',
        title: `${PARTS.patterns} 継続監視対象（繰り返し検知されている職員）`,
        sheet: `${PARTS.patterns} 継続監視対象`,
        columns: [
          col('職員ID', 'text', 9),
          col('氏名', 'text', 10),
          col('所属', 'text', 12),
          col('理由', 'text', 50),
          col('未終結の事案', 'text', 20),
        ],
        rows: c.patterns.map((p) => [p.userId, p.name, p.department, p.reasons.join('／'), p.openCases.join('、') || 'なし']),
        rowStyles: c.patterns.map((p): RowStyle => (p.openCases.length ? null : 'warn')),
        empty: '継続監視対象の職員はいません。',
      }),
      table({
        key: 'exceptions',
        title: `${PARTS.exceptions} 例外承認（対象月に有効なもの・期限が近いもの）`,
        sheet: `${PARTS.exceptions} 例外承認`,
        notes: [
          `「当月の適用件数」は対象月の検知のうちこの例外承認を適用したものの数です。「期限間近」は報告書の作成日から ${c.expiringWithinDays} 日以内に終了するものです。`,
        ],
        columns: [
          col('決裁番号など', 'text', 14),
          col('ルール', 'text', 14),
          col('理由', 'text', 30),
          col('承認者', 'text', 10),
          col('開始日', 'date', 11),
          col('終了日', 'date', 11),
          col('当月の適用件数', 'int', 9),
          col('期限', 'text', 8),
          col('例外ID', 'text', 18, false),
        ],
        rows: c.exceptions.map((x) => [
          x.reference,
          r.rules.find((rule) => rule.id === x.rule)?.title ?? x.rule,
          x.reason,
          x.approvedBy,
          x.validFrom,
          x.validTo,
          x.findings,
          x.expiring ? '期限間近' : '',
          `${x.id} v${x.version}`,
        ]),
        rowStyles: c.exceptions.map((x): RowStyle => (x.expiring ? 'warn' : null)),
        empty: '対象月に有効な例外承認はありません。',
      }),
      table({
        key: 'change-counts',
        title: `${PARTS.changeCounts} kansa の変更履歴（種別ごとの件数）`,
        sheet: `${PARTS.changeCounts} 変更履歴の件数`,
        notes: ['kansa の監査記録（改ざん検知チェーンつき）に記録された対象月の変更です。'],
        columns: [col('種別', 'text', 28), col('件数', 'int', 8)],
        rows: c.changeCounts.map((x) => [x.title, x.count]),
        footer: c.changeCounts.length ? ['合計', c.changeCounts.reduce((a, x) => a + x.count, 0)] : undefined,
        empty: '対象月に記録された変更はありません。',
      }),
      table({
        key: 'changes',
        title: `${PARTS.changes} マスタ・設定（ルールの停止を含む）・例外承認の変更`,
        sheet: `${PARTS.changes} 変更の一覧`,
        columns: [col('日時', 'datetime', 14), col('種別', 'text', 16), col('内容', 'text', 60), col('変更者', 'text', 16)],
        rows: c.changes.map((x) => [x.at, x.title, x.summary, x.by]),
        empty: '対象月にマスタ・設定・例外承認の変更はありません。',
      }),
    ],
  };
}

const percent = (share: number | null): Cell => (share === null ? null : `${(share * 100).toFixed(1)}%`);

/**
 * The section's opening sentence. Flagged and unexplained accesses are
 * separate classes (with the explained ones they add up to the accesses);
 * both are without a reason, so the sentence counts them together and names
 * the flagged ones within.
 */
export function explanationsIntro(e: Explanations): string {
  const t = e.total;
  return e.classifiedDays === 0
    ? '説明のないアクセスのルールは対象月を分類していません。そのため説明の割合は示せません（ルールが適用されていないか、対象月の分析が済んでいません）。'
    : `説明のないアクセスのルールが分類した ${e.classifiedDays}/${e.days} 日分の住民の情報へのアクセス（住民記録・統合宛名・中間サーバー）${fmt(t.accesses)} 件のうち、` +
        `説明のあるもの（業務記録・担当割当など）${fmt(t.explained)} 件（${percent(t.explainedShare) ?? '－'}）、` +
        `説明のないもの ${fmt(t.unexplained + t.flagged)} 件（うち要注意の対象（本人・要保護対象者など）へのもの ${fmt(t.flagged)} 件）です。`;
}

/** アクセスの説明 (docs/explanations.md): how much of the month's access has a reason on record. Counts only, never a resident. */
function explanationsSection(r: MonthlyReport): Section {
  const e = r.explanations;
  const t = e.total;
  const intro = explanationsIntro(e);
  const classified = e.classifiedDays > 0;
  const shares: ReportTable = {
    key: 'shares',
    section: 'explanations',
    title: `${PARTS.shares} 所属・システム別の説明の割合`,
    sheet: `${PARTS.shares} 説明の割合`,
    columns: [
      col('所属', 'text', 14),
      col('システム', 'text', 14),
      col('アクセス', 'int', 9),
      col('説明あり', 'int', 9),
      col('説明なし（要注意）', 'int', 11),
      col('説明なし', 'int', 9),
      col('説明の割合', 'text', 8),
    ],
    rows: e.byDepartmentAndSystem.map((x) => [
      x.department,
      x.sourceTitle,
      x.accesses,
      x.explained,
      x.flagged,
      x.unexplained,
      percent(x.explainedShare),
    ]),
    footer: e.byDepartmentAndSystem.length
      ? ['合計', '', t.accesses, t.explained, t.flagged, t.unexplained, percent(t.explainedShare)]
      : undefined,
    empty: classified ? '分類したアクセスはありません。' : '対象月は分類されていません。',
  };
  const flagged: ReportTable = {
    key: 'flagged-by-staff',
    section: 'explanations',
    title: `${PARTS.flaggedByStaff} 要注意の対象への説明のないアクセス（職員別）`,
    sheet: `${PARTS.flaggedByStaff} 要注意への説明なし`,
    notes: ['件数のみを示します（住民は記載しません）。個々のアクセスは kansa の検知・説明の画面で、目的を記録して確認できます。'],
    columns: [
      col('職員ID', 'text', 9),
      col('氏名', 'text', 10),
      col('所属', 'text', 12),
      col('アクセス', 'int', 8),
      col('住民数', 'int', 7),
      col('日数', 'int', 6),
      col('要注意の種類', 'text', 24),
    ],
    rows: e.flaggedByStaff.map((x) => [x.userId, x.name, x.department, x.accesses, x.residents, x.days, x.flags]),
    rowStyles: e.flaggedByStaff.map((): RowStyle => 'warn'),
    empty: classified ? '要注意の対象への説明のないアクセスはありません。' : '対象月は分類されていません。',
  };
  return {
    key: 'explanations',
    title: SECTIONS.explanations,
    wide: false,
    blocks: [
      { kind: 'text', lines: [intro] },
      { kind: 'table', table: shares },
      { kind: 'table', table: flagged },
    ],
  };
}

/** The report's sections in order, each with its blocks. */
export function reportSections(r: MonthlyReport): Section[] {
  const build: Record<SectionKey, (r: MonthlyReport) => Section> = {
    summary: summarySection,
    scope: scopeSection,
    rules: rulesSection,
    results: resultsSection,
    findings: (x) => ({ key: 'findings', title: SECTIONS.findings, wide: true, blocks: [{ kind: 'table', table: findingsTable(x) }] }),
    accounts: accountsSection,
    access: accessSection,
    carried: carriedSection,
    integrity: integritySection,
    usage: usageSection,
    casework: caseworkSection,
    explanations: explanationsSection,
  };
  return SECTION_ORDER.map((k) => build[k](r));
}

/** Every table of the report in order. */
export function reportTables(r: MonthlyReport): ReportTable[] {
  return reportSections(r).flatMap((s) => s.blocks.flatMap((b) => (b.kind === 'table' ? [b.table] : [])));
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

/**
 * A table as the PDF lists it: at most `limit` rows (its first, in the
 * table's own order; 0 lists all), saying how many there are and where every
 * row is. The PDF is for filing and approval; a month of tens of thousands of
 * findings would be thousands of pages, and ran the process out of memory
 * (docs/report.md, "A month with tens of thousands of findings"). HTML, XLSX
 * and CSV keep every row.
 */
export function pdfTable(t: ReportTable, limit: number): ReportTable {
  if (!limit || t.rows.length <= limit) return t;
  const where = `XLSX 版のシート「${t.sheet}」${t.key === 'findings' ? '、CSV 版' : ''}、HTML 版`;
  return {
    ...t,
    rows: t.rows.slice(0, limit),
    rowStyles: t.rowStyles?.slice(0, limit),
    notes: [
      ...(t.notes ?? []),
      `【PDF 版の掲載は先頭の ${fmt(limit)} 件まで】全 ${fmt(t.rows.length)} 件のうち ${fmt(limit)} 件を掲載しています。全件は同じ月の${where}にあります。`,
    ],
  };
}
