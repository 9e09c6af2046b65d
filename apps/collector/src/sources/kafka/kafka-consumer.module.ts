import { Module } from '@nestjs/common';
import { CollectorModule } from '../../collector.module';
import { KafkaConsumerService } from './kafka-consumer.service';

/**
 * Kafka ingest. Imported only by the service (`kansa serve`, `nest start
 * collector`), never by plain CLI commands; it consumes only when
 * `kafka.enabled` is true. KafkaConsumerService.status() feeds health and metrics.
 */
@Module({
  imports: [CollectorModule],
  providers: [KafkaConsumerService],
  exports: [KafkaConsumerService],
})
export class KafkaConsumerModule {}
