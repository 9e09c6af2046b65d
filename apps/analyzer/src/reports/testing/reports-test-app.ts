import { Global, INestApplicationContext, Module, Provider } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AuditTrailModule } from '@kansa/audit-trail';
import { KansaConfig, KansaConfigModule } from '@kansa/config';
import { AccessAuditRepository } from '@kansa/service-shell/access-audit.repository';
import { CLICKHOUSE } from '@kansa/storage';
import type { TestStore } from '@kansa/test-kit';
import { AnalyzerModule } from '../../analyzer.module';
import { CLOCK, fixedClock } from '../../core/clock';
import { ReportCronService } from '../report-cron.service';
import { ReportsModule } from '../reports.module';

/** The report's real services (and the analyzer's, with the rule catalogue) over a test store, the clock frozen at `now`; `providers` added (the service's metrics). */
export async function openReportsApp(
  store: TestStore,
  now: string,
  config: Partial<KansaConfig> = {},
  providers: Provider[] = [],
): Promise<INestApplicationContext> {
  @Global()
  @Module({ providers: [{ provide: CLICKHOUSE, useValue: store.client }], exports: [CLICKHOUSE] })
  class TestStorageModule {}
  const moduleRef = await Test.createTestingModule({
    imports: [
      KansaConfigModule.forRoot({ ...store.config, ...config }),
      TestStorageModule,
      AuditTrailModule,
      AnalyzerModule,
      ReportsModule,
    ],
    providers: [ReportCronService, AccessAuditRepository, ...providers],
  })
    .overrideProvider(CLOCK)
    .useValue(fixedClock(now))
    .compile();
  moduleRef.useLogger(['error']);
  return moduleRef.init();
}
