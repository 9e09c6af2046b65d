import { Module } from '@nestjs/common';
import { ANALYZER_SCHEDULE } from '../scheduling/schedule-root';
import { ReportCronService } from './report-cron.service';
import { ReportsModule } from './reports.module';

/** The automatic monthly report (service mode only: `kansa serve`). */
@Module({
  imports: [ANALYZER_SCHEDULE, ReportsModule],
  providers: [ReportCronService],
  exports: [ReportCronService],
})
export class ReportsSchedulingModule {}
