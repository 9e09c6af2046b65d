import { Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AccountsModule } from './accounts.module';
import { ApiAuthGuard } from './api-auth.guard';
import { AuditController } from './audit.controller';
import { HealthController } from './health.controller';
import { HealthRegistry } from './health.registry';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { ServiceStatsRepository } from './service-stats.repository';
import { SessionController } from './session.controller';
import { StorageStatus } from './storage-status.service';
import { StorageUnavailableFilter } from './storage-unavailable.filter';
import { UsersController } from './users.controller';

/** What every HTTP service (collector, analyzer, or both) has: auth (tokens and people's sessions), health, metrics, the audit log. */
@Global()
@Module({
  imports: [AccountsModule],
  controllers: [HealthController, MetricsController, SessionController, UsersController, AuditController],
  providers: [
    { provide: APP_GUARD, useClass: ApiAuthGuard },
    { provide: APP_FILTER, useClass: StorageUnavailableFilter },
    HealthRegistry,
    MetricsService,
    ServiceStatsRepository,
    StorageStatus,
  ],
  exports: [AccountsModule, HealthRegistry, MetricsService, StorageStatus],
})
export class ServiceShellModule {}
