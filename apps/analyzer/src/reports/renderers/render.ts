import type { ReportFormat, ReportSettings } from '@kansa/config';
import type { MonthlyReport } from '../model/report.model';
import { renderCsv } from './csv.renderer';
import { renderHtml } from './html.renderer';
import { renderPdf } from './pdf.renderer';
import { renderXlsx } from './xlsx.renderer';

/** What rendering takes from the configuration. */
export type RenderSettings = Pick<ReportSettings, 'pdfRowLimit'>;

/** One format of the report, as its file's bytes. */
export async function render(report: MonthlyReport, format: ReportFormat, settings: RenderSettings): Promise<Buffer> {
  switch (format) {
    case 'pdf':
      return renderPdf(report, { rowLimit: settings.pdfRowLimit });
    case 'html':
      return Buffer.from(await renderHtml(report), 'utf8');
    case 'xlsx':
      return renderXlsx(report);
    case 'csv':
      return renderCsv(report);
  }
}
