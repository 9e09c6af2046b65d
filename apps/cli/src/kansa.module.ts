import { AuditTrailModule } from '@kansa/audit-trail';
import { DynamicModule, Module } from '@nestjs/common';
import { KansaConfig, KansaConfigModule } from '@kansa/config';
import { StorageModule } from '@kansa/storage';
import { CollectorModule } from '@kansa/collector/collector.module';
import { AnalyzerModule } from '@kansa/analyzer/analyzer.module';
import { ReportsModule } from '@kansa/analyzer/reports/reports.module';
import { MastersModule } from '@kansa/masters/masters.module';
import { CalendarModule } from '@kansa/calendar/calendar.module';
import { AccountsModule } from '@kansa/service-shell/accounts.module';

export interface KansaModuleOptions {
  /**
   * Start the collector (commands that store logs or check what is stored:
   * import, verify, demo, batches). Its start-up completes commits a process
   * left pending; every other command reads without it.
   */
  collector?: boolean;
}

/**
 * What a `kansa <command>` runs in one process (one data directory belongs
 * to one process): storage, the analyzer's parts, reports and masters, and
 * the collector only when the command stores logs.
 */
@Module({})
export class KansaModule {
  static forRoot(config: KansaConfig, options: KansaModuleOptions = {}): DynamicModule {
    return {
      module: KansaModule,
      imports: [
        KansaConfigModule.forRoot(config),
        StorageModule.forRoot(),
        AuditTrailModule,
        ...(options.collector ? [CollectorModule] : []),
        AnalyzerModule,
        ReportsModule,
        MastersModule,
        CalendarModule,
        AccountsModule,
      ],
    };
  }
}
