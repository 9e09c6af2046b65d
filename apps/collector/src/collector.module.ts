import { Module } from '@nestjs/common';
import { VerifyService } from './integrity/verify.service';
import { INGEST_SERVICE } from './pipeline/ingest.types';
import { IngestService } from './pipeline/ingest.service';
import { FileImportService } from './sources/file-import/file-import.service';

/** How logs arrive (files, Kafka, HTTP) and how they are stored. */
@Module({
  imports: [],
  providers: [IngestService, { provide: INGEST_SERVICE, useExisting: IngestService }, FileImportService, VerifyService],
  exports: [INGEST_SERVICE, IngestService, FileImportService, VerifyService],
})
export class CollectorModule {}
