import { Global, INestApplicationContext, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { KansaConfig, KansaConfigModule } from '@kansa/config';
import { AccessAuditRepository } from '@kansa/service-shell/access-audit.repository';
import { CLICKHOUSE } from '@kansa/storage';
import type { TestStore } from '@kansa/test-kit';
import { CLOCK, fixedClock } from '../../core/clock';
import { RULE_CATALOG } from '../../detection/rule-catalog';
import { ReportBuilderService } from '../data/report-builder.service';
import { ReportCronService } from '../report-cron.service';
import { ReportDataRepository } from '../data/report-data.repository';
import { ReportsService } from '../reports.service';

/** The report's real services over a test store, the clock frozen at `now`. */
export async function openReportsApp(store: TestStore, now: string, config: Partial<KansaConfig> = {}): Promise<INestApplicationContext> {
  @Global()
  @Module({ providers: [{ provide: CLICKHOUSE, useValue: store.client }], exports: [CLICKHOUSE] })
  class TestStorageModule {}
  const moduleRef = await Test.createTestingModule({
    imports: [KansaConfigModule.forRoot({ ...store.config, ...config }), TestStorageModule],
    providers: [
      ReportDataRepository,
      ReportBuilderService,
      ReportsService,
      ReportCronService,
      AccessAuditRepository,
      { provide: CLOCK, useValue: fixedClock(now) },
      { provide: RULE_CATALOG, useValue: [] },
    ],
  }).compile();
  moduleRef.useLogger(['error']);
  return moduleRef.init();
}
