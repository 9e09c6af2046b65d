import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AnalyzerModule } from '../analyzer.module';
import { AnalysisCronService } from './analysis-cron.service';

/**
 * The analyzer's scheduled jobs (incremental and daily runs, catch-up on
 * start). Imported by `kansa serve` only: plain CLI commands never start them.
 */
@Module({
  imports: [ScheduleModule.forRoot(), AnalyzerModule],
  providers: [AnalysisCronService],
})
export class AnalyzerSchedulingModule {}
