import type { INestApplicationContext } from '@nestjs/common';
import type { ReportFormat } from '@kansa/config';
import { MadeReport, ReportsService } from './reports.service';

/**
 * Writes the monthly report from inside a running application (kansa demo,
 * the analyzer benchmark). The app must include ReportsModule.
 */
export function makeMonthlyReport(
  app: INestApplicationContext,
  month: string,
  formats?: readonly ReportFormat[],
  outDir?: string,
  trigger = 'manual',
): Promise<MadeReport> {
  return app.get(ReportsService, { strict: false }).make(month, { formats, outDir, trigger });
}
