import 'reflect-metadata';
import { DynamicModule, Type } from '@nestjs/common';
import { KansaConfig, loadConfig } from '@kansa/config';
import { closeOnSignals, ServiceModule, startHttpService } from '@kansa/service-shell';
import { CollectorServiceModule } from './collector-service.module';

/** What the collector service runs: the pipeline, HTTP ingest and (when enabled) the Kafka consumer. */
export function collectorServiceFeatures(_config: KansaConfig): Array<Type<unknown> | DynamicModule> {
  return [CollectorServiceModule];
}

/**
 * Server mode entry (`nest start collector`, or
 * `node -r ./scripts/register.js apps/collector/src/main.ts`): the collector
 * alone, against a ClickHouse server (CLICKHOUSE_URL). Run as many as needed.
 */
async function bootstrap(): Promise<void> {
  const config = loadConfig();
  if (!config.storage.url) {
    throw new Error('the collector alone needs a ClickHouse server (CLICKHOUSE_URL); in embedded mode run `kansa serve`');
  }
  const service = await startHttpService(ServiceModule.forRoot(config, collectorServiceFeatures(config)), config);
  process.stdout.write(`kansa collector: ${service.url}\n`);
  const { interrupted } = await closeOnSignals(service, config.http.shutdownGraceMs, (l) => process.stdout.write(l + '\n'));
  // Requests cut off at the end of the grace period were never acknowledged: their senders resend them.
  if (interrupted.ingest + interrupted.api > 0)
    throw new Error(`stopped; ${interrupted.ingest} ingest and ${interrupted.api} other requests interrupted`);
}

if (require.main === module) {
  bootstrap().then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`kansa collector: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
