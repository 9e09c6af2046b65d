import { Module } from '@nestjs/common';
import { AnalyzerModule } from '../analyzer.module';
import { AnalysisCronService } from './analysis-cron.service';
import { ANALYZER_SCHEDULE } from './schedule-root';

/**
 * The analyzer's scheduled jobs (incremental and daily runs, catch-up on
 * start). Imported by `kansa serve` only: plain CLI commands never start them.
 */
@Module({
  imports: [ANALYZER_SCHEDULE, AnalyzerModule],
  providers: [AnalysisCronService],
})
export class AnalyzerSchedulingModule {}
