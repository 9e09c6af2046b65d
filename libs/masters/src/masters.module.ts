import { Module } from '@nestjs/common';
import { MastersRepository } from './masters.repository';
import { MastersService } from './masters.service';

/** Versioned master data; needs StorageModule and AuditTrailModule (both global). */
@Module({ providers: [MastersRepository, MastersService], exports: [MastersRepository, MastersService] })
export class MastersModule {}
