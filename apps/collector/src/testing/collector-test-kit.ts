import { ClickHouseClient } from '@clickhouse/client';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { KansaConfig, KansaConfigModule } from '@kansa/config';
import { CLICKHOUSE } from '@kansa/storage';
import { CollectorModule } from '../collector.module';
import { VerifyService } from '@kansa/integrity';
import { GroupCommitService } from '../pipeline/group-commit';
import { IngestService } from '../pipeline/ingest.service';
import { CommitService } from '../sink/commit.service';
import { FileImportService } from '../sources/file-import/file-import.service';

/** The collector as a test uses it, started like in a process (the staging store opened, pending commits completed). */
export interface CollectorKit {
  ingest: IngestService;
  /** HTTP ingest's group commit. */
  groups: GroupCommitService;
  commits: CommitService;
  files: FileImportService;
  verify: VerifyService;
  /** Stops it (the storage client stays open: it is the test's). */
  close(): Promise<void>;
}

@Global()
@Module({})
class GivenStorage {
  static of(client: ClickHouseClient): DynamicModule {
    return { module: GivenStorage, providers: [{ provide: CLICKHOUSE, useValue: client }], exports: [CLICKHOUSE] };
  }
}

/** Starts the collector's module on an open storage client; a second call on the same storage is the next process. */
export async function startCollector(store: { client: ClickHouseClient; config: KansaConfig }): Promise<CollectorKit> {
  const moduleRef: TestingModule = await Test.createTestingModule({
    imports: [KansaConfigModule.forRoot(store.config), GivenStorage.of(store.client), CollectorModule],
  }).compile();
  moduleRef.useLogger(['error']);
  await moduleRef.init();
  let closing: Promise<void> | undefined;
  return {
    ingest: moduleRef.get(IngestService),
    groups: moduleRef.get(GroupCommitService),
    commits: moduleRef.get(CommitService),
    files: moduleRef.get(FileImportService),
    verify: moduleRef.get(VerifyService),
    // once: a test may close it early (to hand the data directory to another process), afterEach again
    close: () => (closing ??= moduleRef.close()),
  };
}
