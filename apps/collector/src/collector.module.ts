import { Module } from '@nestjs/common';
import { IntegrityModule } from '@kansa/integrity';
import { INGEST_SERVICE } from './pipeline/ingest.types';
import { GroupCommitService } from './pipeline/group-commit';
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
  imports: [IntegrityModule],
  providers: [
    SourceSystems,
    StagingStore,
    SetAsideRepository,
    CommitService,
    IngestService,
    { provide: INGEST_SERVICE, useExisting: IngestService },
    GroupCommitService,
    FileImportService,
  ],
  exports: [INGEST_SERVICE, IngestService, GroupCommitService, CommitService, FileImportService, IntegrityModule],
})
export class CollectorModule {}
