import { DynamicModule, Module } from '@nestjs/common';
import { KansaConfig, KansaConfigModule } from '@kansa/config';
import { StorageModule } from '@kansa/storage';
import { KafkaConsumerModule } from '@kansa/collector/sources/kafka/kafka-consumer.module';

/** The collector as a service with Kafka ingest (what `nest start collector` runs), without the analyzer. */
@Module({})
export class CollectorServiceModule {
  static forRoot(config: KansaConfig): DynamicModule {
    return {
      module: CollectorServiceModule,
      imports: [KansaConfigModule.forRoot(config), StorageModule.forRoot(), KafkaConsumerModule],
    };
  }
}
