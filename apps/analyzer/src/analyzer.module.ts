import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { Module } from '@nestjs/common';
import { CalendarModule } from '@kansa/calendar';
import { MastersModule } from '@kansa/masters';
import { RULES } from '@kansa/rules';
import { CLOCK, systemClock } from './core/clock';
import { AnalysisService } from './detection/analysis.service';
import { enabledRules, RULE_CATALOG } from './detection/rule-catalog';
import { PrepareAheadService } from './scheduling/prepare-ahead.service';
import { PreparedDaysService } from './detection/prepared-days.service';
import { RuleRowsRepository } from './detection/rule-rows.repository';
import { ExceptionsRepository, FindingFactsRepository } from './casework/exceptions/exceptions.repository';
import { ExceptionsService } from './casework/exceptions/exceptions.service';
import { CasesRepository } from './casework/cases/cases.repository';
import { CasesService } from './casework/cases/cases.service';
import { AuditWatchService } from './casework/watch/audit-watch.service';
import { LogVolumeRepository } from './casework/watch/log-volume.repository';
import { IntegrityModule } from '@kansa/integrity';
import { EventLookupService } from './events/event-lookup.service';
import { EventsRepository } from './events/events.repository';
import { ExplanationsRepository } from './explanations/explanations.repository';
import { ExplanationsService } from './explanations/explanations.service';
import { FindingsRepository } from './findings/findings.repository';
import { FindingsService } from './findings/findings.service';
import { FINDINGS_SERVICE } from './findings/findings.types';
import { AnalysisLedgerRepository } from './ledger/analysis-ledger.repository';
import { AnalysisRunsRepository } from './ledger/analysis-runs.repository';
import { CoverageService } from './ledger/coverage.service';
import { AnalysisSchedulerService } from './scheduling/analysis-scheduler.service';
import { CASEWORK_ID_SUFFIX, randomIdSuffix } from './casework/casework-ids';

/** Detection rules, findings, scheduling, alerts and reports. */
@Module({
  imports: [MastersModule, CalendarModule, IntegrityModule],
  providers: [
    { provide: RULE_CATALOG, inject: [KANSA_CONFIG], useFactory: (config: KansaConfig) => enabledRules(RULES, config.rules.disabled) },
    { provide: CLOCK, useValue: systemClock },
    FindingsRepository,
    FindingsService,
    { provide: FINDINGS_SERVICE, useExisting: FindingsService },
    AnalysisLedgerRepository,
    AnalysisRunsRepository,
    CoverageService,
    RuleRowsRepository,
    PreparedDaysService,
    ExceptionsRepository,
    FindingFactsRepository,
    { provide: CASEWORK_ID_SUFFIX, useValue: randomIdSuffix },
    ExceptionsService,
    CasesRepository,
    CasesService,
    LogVolumeRepository,
    AuditWatchService,
    AnalysisService,
    AnalysisSchedulerService,
    PrepareAheadService,
    EventsRepository,
    EventLookupService,
    ExplanationsRepository,
    ExplanationsService,
  ],
  exports: [
    RULE_CATALOG,
    CLOCK,
    FINDINGS_SERVICE,
    FindingsService,
    AnalysisService,
    ExceptionsService,
    CasesService,
    AuditWatchService,
    AnalysisRunsRepository,
    CoverageService,
    AnalysisSchedulerService,
    PrepareAheadService,
    EventLookupService,
    ExplanationsService,
    EventsRepository,
    AnalysisLedgerRepository,
  ],
})
export class AnalyzerModule {}
