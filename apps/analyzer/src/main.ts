import 'reflect-metadata';
import { DynamicModule, Type } from '@nestjs/common';
import { KansaConfig, loadConfig } from '@kansa/config';
import { closeOnSignals, ServiceModule, startHttpService } from '@kansa/service-shell';
import { AnalyzerModule } from './analyzer.module';
import { AlertsModule } from './alerts/alerts.module';
import { ApiModule } from './api/api.module';
import { ReportsSchedulingModule } from './reports/reports-scheduling.module';
import { AnalyzerSchedulingModule } from './scheduling/analyzer-scheduling.module';

/** What the analyzer service runs: scheduled analysis and monthly report, the staff API, and alerts when configured. */
export function analyzerServiceFeatures(_config: KansaConfig): Array<Type<unknown> | DynamicModule> {
  return [AnalyzerModule, AnalyzerSchedulingModule, ReportsSchedulingModule, ApiModule, AlertsModule];
}

/**
 * Server mode entry (`nest start analyzer`, or
 * `node -r ./scripts/register.js apps/analyzer/src/main.ts`): the analyzer
 * alone, against a ClickHouse server (CLICKHOUSE_URL). Run one (it schedules
 * analysis and sends alerts).
 */
async function bootstrap(): Promise<void> {
  const config = loadConfig();
  if (!config.storage.url) {
    throw new Error('the analyzer alone needs a ClickHouse server (CLICKHOUSE_URL); in embedded mode run `kansa serve`');
  }
  const service = await startHttpService(ServiceModule.forRoot(config, analyzerServiceFeatures(config)), config);
  process.stdout.write(`kansa analyzer: ${service.url}\n`);
  const { interrupted } = await closeOnSignals(service, config.http.shutdownGraceMs, (l) => process.stdout.write(l + '\n'));
  // Requests cut off at the end of the grace period were never acknowledged: their senders resend them.
  if (interrupted.ingest + interrupted.api > 0)
    throw new Error(`stopped; ${interrupted.ingest} ingest and ${interrupted.api} other requests interrupted`);
}

if (require.main === module) {
  bootstrap().then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`kansa analyzer: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
