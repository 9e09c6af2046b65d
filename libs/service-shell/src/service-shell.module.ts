import { Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AccessAuditRepository } from './access-audit.repository';
import { ApiAuthGuard } from './api-auth.guard';
import { HealthController } from './health.controller';
import { HealthRegistry } from './health.registry';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { ServiceStatsRepository } from './service-stats.repository';
import { StorageStatus } from './storage-status.service';
import { StorageUnavailableFilter } from './storage-unavailable.filter';

/** What every HTTP service (collector, analyzer, or both) has: auth, health, metrics, access audit. */
@Global()
@Module({
  controllers: [HealthController, MetricsController],
  providers: [
    { provide: APP_GUARD, useClass: ApiAuthGuard },
    { provide: APP_FILTER, useClass: StorageUnavailableFilter },
    AccessAuditRepository,
    HealthRegistry,
    MetricsService,
    ServiceStatsRepository,
    StorageStatus,
  ],
  exports: [AccessAuditRepository, HealthRegistry, MetricsService, StorageStatus],
})
export class ServiceShellModule {}
