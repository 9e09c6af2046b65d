import { Module } from '@nestjs/common';
import { CalendarModule } from '@kansa/calendar';
import { MastersModule } from '@kansa/masters';
import { RULES } from '@kansa/rules';
import { CLOCK, systemClock } from './core/clock';
import { AnalysisService } from './detection/analysis.service';
import { RULE_CATALOG } from './detection/rule-catalog';
import { RuleRowsRepository } from './detection/rule-rows.repository';
import { EventLookupService } from './events/event-lookup.service';
import { EventsRepository } from './events/events.repository';
import { FindingsRepository } from './findings/findings.repository';
import { FindingsService } from './findings/findings.service';
import { FINDINGS_SERVICE } from './findings/findings.types';
import { AnalysisLedgerRepository } from './ledger/analysis-ledger.repository';
import { AnalysisRunsRepository } from './ledger/analysis-runs.repository';
import { CoverageService } from './ledger/coverage.service';
import { AnalysisSchedulerService } from './scheduling/analysis-scheduler.service';

/** Detection rules, findings, scheduling, alerts and reports. */
@Module({
  imports: [MastersModule, CalendarModule],
  providers: [
    { provide: RULE_CATALOG, useValue: RULES },
    { provide: CLOCK, useValue: systemClock },
    FindingsRepository,
    FindingsService,
    { provide: FINDINGS_SERVICE, useExisting: FindingsService },
    AnalysisLedgerRepository,
    AnalysisRunsRepository,
    CoverageService,
    RuleRowsRepository,
    AnalysisService,
    AnalysisSchedulerService,
    EventsRepository,
    EventLookupService,
  ],
  exports: [
    RULE_CATALOG,
    CLOCK,
    FINDINGS_SERVICE,
    FindingsService,
    AnalysisService,
    AnalysisRunsRepository,
    CoverageService,
    AnalysisSchedulerService,
    EventLookupService,
    EventsRepository,
    AnalysisLedgerRepository,
  ],
})
export class AnalyzerModule {}
