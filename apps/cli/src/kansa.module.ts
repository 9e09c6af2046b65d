import { DynamicModule, Module } from '@nestjs/common';
import { KansaConfig, KansaConfigModule } from '@kansa/config';
import { StorageModule } from '@kansa/storage';
import { CollectorModule } from '@kansa/collector/collector.module';
import { AnalyzerModule } from '@kansa/analyzer/analyzer.module';
import { ReportsModule } from '@kansa/analyzer/reports/reports.module';
import { MastersModule } from '@kansa/masters/masters.module';
import { CalendarModule } from '@kansa/calendar/calendar.module';

/**
 * Everything in one process: what `kansa <command>` and `kansa serve` in
 * embedded mode run (one data directory belongs to one process).
 */
@Module({})
export class KansaModule {
  static forRoot(config: KansaConfig): DynamicModule {
    return {
      module: KansaModule,
      imports: [KansaConfigModule.forRoot(config), StorageModule.forRoot(), CollectorModule, AnalyzerModule, ReportsModule, MastersModule, CalendarModule],
    };
  }
}
