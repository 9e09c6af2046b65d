import { ClickHouseClient } from '@clickhouse/client';
import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { openClickHouse } from './clickhouse.factory';
import { checkLinesReadBack } from './event-line-witnesses';
import { applyRetention, CONCURRENT_MIGRATION_WAIT_MS, migrate } from './migrations';
import { StorageCompactionService } from './storage-compaction.service';
import { StorageTransferRepository } from './storage-transfer.repository';
import { StorageTransferService } from './storage-transfer.service';
import { StoredCountsRepository } from './stored-counts.repository';
import { CLICKHOUSE } from './storage.tokens';

/** Opens storage once, applies migrations and retention, closes on shutdown. */
@Injectable()
export class StorageLifecycle implements OnApplicationShutdown {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}

export async function openStorage(config: KansaConfig): Promise<ClickHouseClient> {
  const client = await openClickHouse(config.storage);
  try {
    // on a server, other kansa processes may be applying the same migrations at this moment
    await migrate(client, undefined, { othersWaitMs: config.storage.url ? CONCURRENT_MIGRATION_WAIT_MS : 0 });
    await checkLinesReadBack(client);
    await applyRetention(client, config.storage.retentionYears);
  } catch (err) {
    await client.close();
    throw err;
  }
  return client;
}

@Global()
@Module({})
export class StorageModule {
  static forRoot(): DynamicModule {
    return {
      module: StorageModule,
      providers: [
        {
          provide: CLICKHOUSE,
          inject: [KANSA_CONFIG],
          useFactory: (config: KansaConfig) => openStorage(config),
        },
        StorageLifecycle,
        StoredCountsRepository,
        StorageTransferRepository,
        StorageTransferService,
        StorageCompactionService,
      ],
      exports: [CLICKHOUSE, StoredCountsRepository, StorageTransferService, StorageCompactionService],
    };
  }
}
