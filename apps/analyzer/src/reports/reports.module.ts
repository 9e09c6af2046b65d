import { Module } from '@nestjs/common';
import { AccountsModule } from '@kansa/service-shell/accounts.module';
import { AnalyzerModule } from '../analyzer.module';
import { ReportBuilderService } from './data/report-builder.service';
import { ReportDataRepository } from './data/report-data.repository';
import { ReportsService } from './reports.service';

/**
 * The monthly log-analysis report (ログ分析結果報告書): gathering, rendering
 * (PDF, HTML, XLSX, CSV) and the register of reports made. The monthly job is
 * in ReportsSchedulingModule (service mode only).
 */
@Module({
  imports: [AnalyzerModule, AccountsModule],
  providers: [ReportDataRepository, ReportBuilderService, ReportsService],
  exports: [ReportsService, ReportBuilderService, ReportDataRepository],
})
export class ReportsModule {}
