import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { ReportCronService } from './report-cron.service';
import { ReportsModule } from './reports.module';

/** The automatic monthly report (service mode only: `kansa serve`). */
@Module({
  imports: [ScheduleModule.forRoot(), ReportsModule],
  providers: [ReportCronService],
  exports: [ReportCronService],
})
export class ReportsSchedulingModule {}
