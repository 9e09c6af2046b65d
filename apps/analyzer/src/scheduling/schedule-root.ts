import { ScheduleModule } from '@nestjs/schedule';

/**
 * The one `ScheduleModule.forRoot()` of the analyzer: every module with
 * scheduled jobs (analysis runs, the monthly report) imports this same
 * instance, alone in a test or together in `kansa serve`.
 */
export const ANALYZER_SCHEDULE = ScheduleModule.forRoot();
