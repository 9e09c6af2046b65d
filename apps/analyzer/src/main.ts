import 'reflect-metadata';
import { DynamicModule, Type } from '@nestjs/common';
import { KansaConfig } from '@kansa/config';
import { runServicePart } from '@kansa/service-shell';
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
 * alone, against a ClickHouse server (CLICKHOUSE_URL).
 */
if (require.main === module) runServicePart('analyzer', analyzerServiceFeatures);
