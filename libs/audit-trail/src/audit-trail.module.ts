import { Global, Module } from '@nestjs/common';
import { AuditTrailRepository } from './audit-trail.repository';
import { AuditTrailService } from './audit-trail.service';
import { ConfigWatch } from './config-watch';

/**
 * The audit trail of kansa itself; global, so that every part that changes
 * what decides detection records it. At every start the configuration is
 * compared with the last record (ConfigWatch).
 */
@Global()
@Module({ providers: [AuditTrailRepository, AuditTrailService, ConfigWatch], exports: [AuditTrailService, ConfigWatch] })
export class AuditTrailModule {}
