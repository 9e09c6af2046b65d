import 'reflect-metadata';
import { DynamicModule, Type } from '@nestjs/common';
import { KansaConfig } from '@kansa/config';
import { runServicePart } from '@kansa/service-shell';
import { CollectorServiceModule } from './collector-service.module';

/** What the collector service runs: the pipeline, HTTP ingest and (when enabled) the Kafka consumer. */
export function collectorServiceFeatures(_config: KansaConfig): Array<Type<unknown> | DynamicModule> {
  return [CollectorServiceModule];
}

/**
 * Server mode entry (`nest start collector`, or
 * `node -r ./scripts/register.js apps/collector/src/main.ts`): the collector
 * alone, against a ClickHouse server (CLICKHOUSE_URL).
 */
if (require.main === module) runServicePart('collector', collectorServiceFeatures);
