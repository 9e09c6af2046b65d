import { AuditTrailModule } from '@kansa/audit-trail';
import { Global, INestApplicationContext, Module, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { KansaConfig, KansaConfigModule } from '@kansa/config';
import { CLICKHOUSE, insertEventRows, TABLES } from '@kansa/storage';
import { eventRow, type TestStore } from '@kansa/test-kit';
import { AnalyzerModule } from '../analyzer.module';
import { AnalyzerSchedulingModule } from '../scheduling/analyzer-scheduling.module';
import { CLOCK, fixedClock } from '../core/clock';
import { RULE_CATALOG, RuleCatalog } from '../detection/rule-catalog';

export interface AnalyzerTestAppOptions {
  /** Rules to run instead of the catalogue. */
  rules?: RuleCatalog;
  /** Freeze the clock at this instant (ISO with offset). */
  now?: string;
  /** Configuration sections replaced for this app. */
  config?: Partial<KansaConfig>;
  /** Start the service-mode scheduling (cron jobs, catch-up on start) as `kansa serve` does. */
  scheduling?: boolean;
  /** Open this module (one that imports AnalyzerModule, e.g. the console's) instead of AnalyzerModule. */
  module?: Type<unknown>;
}

/**
 * The real AnalyzerModule over a test store's ClickHouse, with the clock (and
 * optionally the rule catalogue) replaced. Closing it leaves the store open,
 * so a test can "restart" the service on the same data.
 */
export async function openAnalyzerApp(store: TestStore, options: AnalyzerTestAppOptions = {}): Promise<INestApplicationContext> {
  @Global()
  @Module({ providers: [{ provide: CLICKHOUSE, useValue: store.client }], exports: [CLICKHOUSE] })
  class TestStorageModule {}

  let builder = Test.createTestingModule({
    imports: [
      KansaConfigModule.forRoot({ ...store.config, ...options.config }),
      TestStorageModule,
      AuditTrailModule,
      options.module ?? (options.scheduling ? AnalyzerSchedulingModule : AnalyzerModule),
    ],
  });
  if (options.rules) builder = builder.overrideProvider(RULE_CATALOG).useValue(options.rules);
  if (options.now) builder = builder.overrideProvider(CLOCK).useValue(fixedClock(options.now));
  const moduleRef = await builder.compile();
  moduleRef.useLogger(['error']);
  return moduleRef.init();
}

/** A normalized event row for direct insertion in tests of the analyzer. */
export interface TestEvent {
  id: string;
  ts: string;
  source?: string;
  user?: string;
  action?: string;
  subject?: string;
  department?: string;
  recordCount?: number;
  reason?: string;
  object?: string;
  /** The source's own ID (a business record's 所属コード:受付番号). */
  sourceEventId?: string;
  ingestedAt?: string;
}

/** Tables a test of the analyzer starts from empty: events, masters, calendar, findings, runs and the ledger. */
const ANALYZER_TABLES = [
  TABLES.events,
  TABLES.masterVersions,
  TABLES.staff,
  TABLES.leaves,
  TABLES.accounts,
  TABLES.overtime,
  TABLES.watchlist,
  TABLES.permissions,
  TABLES.residents,
  TABLES.calendar,
  TABLES.assignments,
  TABLES.calendarDays,
  TABLES.accessExplanations,
  TABLES.findings,
  TABLES.findingTransitions,
  TABLES.analysisRuns,
  TABLES.analysisLedger,
  TABLES.preparedDays,
  // the preparation ahead reads what was stored since its last pass
  TABLES.importBatches,
];

/** Empties what the analyzer reads and writes, so that each test starts from nothing whatever ran before it. */
export async function resetStore(store: TestStore): Promise<void> {
  for (const table of ANALYZER_TABLES) await store.client.command({ query: `TRUNCATE TABLE ${table}` });
}

export async function insertEvents(store: TestStore, events: readonly TestEvent[]): Promise<void> {
  await insertEventRows(
    store.client,
    events.map((e) => ({
      ...eventRow({
        event_id: e.id.padEnd(32, '0').slice(0, 32),
        ts: e.ts,
        source: e.source ?? 'jumin',
        user_id: e.user ?? (e.action === 'record' ? '' : 'K000001'),
        department_code: e.department ?? '100100',
        terminal_id: 'WS-1',
        client_ip: '10.0.0.1',
        action: e.action ?? 'view',
        subject_id: e.subject ?? '',
        record_count: e.recordCount ?? 1,
        reason: e.reason ?? '',
        object: e.object ?? '',
        source_event_id: e.sourceEventId ?? '',
        outcome: 'success',
        batch_id: 'test',
      }),
      ...(e.ingestedAt ? { ingested_at: e.ingestedAt } : {}),
    })),
  );
}
