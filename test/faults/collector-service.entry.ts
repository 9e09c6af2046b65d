/**
 * The collector service as the fault tests run it in a child process: the
 * collector (storage, ingest pipeline) with the Kafka consumer started,
 * configured from the environment (KANSA_CONFIG, KANSA_DATA_DIR, KAFKA_BROKERS).
 * Prints `READY` once consuming; SIGTERM shuts down gracefully.
 * Run: node -r ./scripts/register.js test/faults/collector-service.entry.ts
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@kansa/config';
import { KafkaConsumerService } from '@kansa/collector/sources/kafka/kafka-consumer.service';
import { CollectorServiceModule } from './collector-service.module';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await NestFactory.createApplicationContext(CollectorServiceModule.forRoot(config), {
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
