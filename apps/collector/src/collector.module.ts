import { Module } from '@nestjs/common';
import { BatchLedgerRepository } from './integrity/batch-ledger.repository';
import { IntegrityChecksRepository } from './integrity/integrity-checks.repository';
import { VerifyService } from './integrity/verify.service';
import { INGEST_SERVICE } from './pipeline/ingest.types';
import { IngestService } from './pipeline/ingest.service';
import { CommitService } from './sink/commit.service';
import { SetAsideRepository } from './sink/set-aside.repository';
import { StagingStore } from './sink/staging.store';
import { SourceSystems } from './source-systems/source-system.registry';
import { FileImportService } from './sources/file-import/file-import.service';

/**
 * How logs arrive (files, Kafka, HTTP) and how they are stored. Started only
 * by what stores logs (import, verify, demo, batches, the service): its
 * start-up opens the staging store and completes pending commits.
 */
@Module({
  providers: [
    SourceSystems,
    StagingStore,
    BatchLedgerRepository,
    SetAsideRepository,
    CommitService,
    IngestService,
    { provide: INGEST_SERVICE, useExisting: IngestService },
    FileImportService,
    IntegrityChecksRepository,
    VerifyService,
  ],
  exports: [INGEST_SERVICE, IngestService, CommitService, FileImportService, VerifyService, BatchLedgerRepository],
})
export class CollectorModule {}
