import { Module } from '@nestjs/common';
import { AnalyzerModule } from '../analyzer.module';
import { AuditController, CasesController, ExceptionsController } from './casework.controller';
import { ConsoleModule } from '../console/console.module';
import { EventsController } from './events.controller';
import { ExplanationsController } from './explanations.controller';
import { FindingsController } from './findings.controller';
import { ReportsModule } from '../reports/reports.module';
import { ReportsController } from './reports.controller';

/**
 * The staff-facing HTTP API: findings and triage, events by resident or
 * user, reports, casework (exceptions, cases, the audit trail), explanations of accesses, and the console's read models.
 * Imported only by the service (`kansa serve`, `nest start analyzer`).
 */
@Module({
  imports: [AnalyzerModule, ReportsModule, ConsoleModule],
  controllers: [
    FindingsController,
    EventsController,
    ReportsController,
    ExceptionsController,
    CasesController,
    AuditController,
    ExplanationsController,
  ],
})
export class ApiModule {}
