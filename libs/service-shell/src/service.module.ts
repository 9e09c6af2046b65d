import { AuditTrailModule } from '@kansa/audit-trail';
import { DynamicModule, Module, Type } from '@nestjs/common';
import { KansaConfig, KansaConfigModule } from '@kansa/config';
import { StorageModule } from '@kansa/storage';
import { ServiceShellModule } from './service-shell.module';

export type ServiceRole = 'collector' | 'analyzer';

/**
 * The root of an HTTP service process: configuration, storage, the common
 * HTTP parts (auth, health, metrics, audit) and the given feature modules —
 * the collector's, the analyzer's, or both (embedded mode).
 */
@Module({})
export class ServiceModule {
  static forRoot(config: KansaConfig, features: Array<Type<unknown> | DynamicModule>): DynamicModule {
    return {
      module: ServiceModule,
      imports: [KansaConfigModule.forRoot(config), StorageModule.forRoot(), AuditTrailModule, ServiceShellModule, ...features],
    };
  }
}
