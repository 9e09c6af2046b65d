import { DynamicModule, Type } from '@nestjs/common';
import { KansaConfig, loadConfig } from '@kansa/config';
import { closeOnSignals, startHttpService } from './http-service';
import { ServiceModule } from './service.module';

/**
 * The entry of a part run on its own against a ClickHouse server (`nest
 * start collector|analyzer`): refuses the embedded data directory (one
 * process owns it: `kansa serve` runs both parts), serves until SIGTERM, and
 * exits 1 when requests were cut off at the end of the grace period (never
 * acknowledged: their senders resend them).
 */
export function runServicePart(
  part: 'collector' | 'analyzer',
  features: (config: KansaConfig) => Array<Type<unknown> | DynamicModule>,
): void {
  const run = async () => {
    process.umask(0o077); // files the part writes (reports) are the owner's only
    const config = loadConfig();
    if (!config.storage.url) {
      throw new Error(`the ${part} alone needs a ClickHouse server (CLICKHOUSE_URL); in embedded mode run \`kansa serve\``);
    }
    const service = await startHttpService(ServiceModule.forRoot(config, features(config)), config);
    process.stdout.write(`kansa ${part}: ${service.url}\n`);
    const { interrupted } = await closeOnSignals(service, config.http.shutdownGraceMs, (l) => process.stdout.write(l + '\n'));
    if (interrupted.ingest + interrupted.api > 0) {
      throw new Error(`stopped; ${interrupted.ingest} ingest and ${interrupted.api} other requests interrupted`);
    }
  };
  run().then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`kansa ${part}: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
