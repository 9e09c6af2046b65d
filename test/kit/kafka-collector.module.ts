import { DynamicModule, Module } from '@nestjs/common';
import { KansaConfig, KansaConfigModule } from '@kansa/config';
import { StorageModule } from '@kansa/storage';
import { KafkaConsumerModule } from '@kansa/collector/sources/kafka/kafka-consumer.module';

/**
 * The collector with Kafka ingest and nothing else (no HTTP, no analyzer), for
 * in-process tests and the benchmark. The fault tests run the real `kansa serve`.
 */
@Module({})
export class KafkaCollectorTestModule {
  static forRoot(config: KansaConfig): DynamicModule {
    return {
      module: KafkaCollectorTestModule,
      imports: [KansaConfigModule.forRoot(config), StorageModule.forRoot(), KafkaConsumerModule],
    };
  }
}
