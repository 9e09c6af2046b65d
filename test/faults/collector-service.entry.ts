/**
 * The collector service as the fault tests run it in a child process: the
 * whole Nest application (storage, collector) with the Kafka consumer started,
 * configured from the environment (KANSA_CONFIG, KANSA_DATA_DIR, KAFKA_BROKERS).
 * Prints `READY` once consuming; SIGTERM shuts down gracefully.
 * Run: node -r ./scripts/register.js test/faults/collector-service.entry.ts
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@kansa/config';
import { Module } from '@nestjs/common';
import { KafkaConsumerModule } from '@kansa/collector/sources/kafka/kafka-consumer.module';
import { KafkaConsumerService } from '@kansa/collector/sources/kafka/kafka-consumer.service';
import { KansaModule } from '../../apps/cli/src/kansa.module';

async function main(): Promise<void> {
  const config = loadConfig();
  @Module({ imports: [KansaModule.forRoot(config), KafkaConsumerModule] })
  class CollectorServiceModule {}
  const app = await NestFactory.createApplicationContext(CollectorServiceModule, {
    logger: ['error', 'warn', 'log'],
  });
  app.enableShutdownHooks();
  const consumer = app.get(KafkaConsumerService);
  while (!consumer.status().running) await new Promise((r) => setTimeout(r, 100));
  process.stdout.write('READY\n');
}

main().catch((err) => {
  process.stderr.write(`collector-service: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
