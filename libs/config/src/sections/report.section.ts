import { z } from 'zod';

export const REPORT_FORMATS = ['pdf', 'html', 'xlsx', 'csv'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** A comma-separated list of formats as given on a command line (`flag` names it in the error). */
export function parseReportFormats(list: string, flag: string): ReportFormat[] {
  const formats = list
    .split(',')
    .map((f) => f.trim().toLowerCase())
    .filter(Boolean);
  const unknown = formats.filter((f) => !(REPORT_FORMATS as readonly string[]).includes(f));
  if (unknown.length || formats.length === 0) {
    throw new Error(
      `${flag}: unknown format "${unknown.join(',') || list}"; use ${REPORT_FORMATS.join(',')} (形式の指定が正しくありません)`,
    );
  }
  return formats as ReportFormat[];
}

/** Cron expression (minute hour day month weekday [second-first with 6 fields]), evaluated in Asia/Tokyo. */
const cron = z.string().regex(/^\S+(\s+\S+){4,5}$/, 'cron expression, e.g. "0 6 * * *"');

/** The monthly log-analysis report (ログ分析結果報告書). */
export const reportSection = z
  .object({
    /** Make last month's report automatically in `kansa serve`. */
    autoMonthly: z.boolean().default(true),
    /**
     * When to check whether last month's report is due (JST). Daily, so that a
     * month whose analysis finishes late still gets its report once it is done.
     */
    cron: cron.default('30 6 * * *'),
    /**
     * Day of the month from which last month's report is made even if the
     * analysis is not complete (the cover then lists the days not analysed).
     */
    deadlineDay: z.number().int().min(1).max(28).default(10),
    /** Where reports are written: <outputDir>/<YYYY-MM>/. */
    outputDir: z.string().default('./reports'),
    /** Formats the automatic run writes. */
    formats: z
      .array(z.enum(REPORT_FORMATS))
      .min(1)
      .default([...REPORT_FORMATS]),
    /** Approval boxes (決裁欄) on the cover: the titles, left to right, in the order the report is approved. */
    approvers: z.array(z.string().min(1).max(16)).min(1).max(6).default(['分析担当', 'システム管理室長', '保護責任者']),
    /**
     * Confidentiality marking on the cover and every page (PDF and HTML page
     * headers, every XLSX sheet), e.g. 取扱注意, 関係者限り; '' for none.
     */
    marking: z.string().max(20).default('取扱注意'),
    /** Rows in the "top users by volume" chart and table. */
    topUsers: z.number().int().min(1).max(50).default(10),
    /**
     * Rows the PDF lists of each table at most (its first, in the table's
     * order), saying how many there are and that HTML, XLSX (and CSV for the
     * findings) hold them all; 0 lists every row. A month of tens of
     * thousands of findings is otherwise thousands of pages (docs/report.md).
     */
    pdfRowLimit: z.number().int().min(0).default(2000),
    /**
     * Seconds a report's formats may take to render, all together: past them
     * the rendering thread is stopped and the report fails with the format
     * and the reason, so that a renderer that never ends cannot hold up the
     * monthly job (it runs one report at a time) or a console request for
     * ever. A month of tens of thousands of findings takes about a minute
     * with every row in the PDF (docs/report.md).
     */
    renderTimeoutSeconds: z.number().int().min(1).default(600),
    /** Account review: an active ID with no login for this many days is listed as unused (unused-account default). */
    unusedDays: z.number().int().min(1).default(90),
    /** Account review: leaves lasting at least this many days are long-term (dormant-account default). */
    longLeaveDays: z.number().int().min(1).default(90),
  })
  .strict();

export type ReportSettings = z.infer<typeof reportSection>;
