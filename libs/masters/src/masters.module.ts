import { Module } from '@nestjs/common';
import { MastersRepository } from './masters.repository';

/** Versioned master data; needs StorageModule (global) for the ClickHouse client. */
@Module({ providers: [MastersRepository], exports: [MastersRepository] })
export class MastersModule {}
