import { Injectable, Logger } from '@nestjs/common';
import { ServiceStatsRepository } from './service-stats.repository';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

/**
 * Prometheus metrics of this process. What is in storage (lines per source
 * and outcome, findings per rule, analysis runs) is read from ClickHouse at
 * scrape time, so it counts every collector and every transport; request and
 * alert counters are this process's own. Other modules (the Kafka consumer's
 * lag) add their metrics to `registry`.
 */
@Injectable()
export class MetricsService {
  private readonly logger = new Logger('Metrics');
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'kansa_http_requests_total',
    help: 'HTTP requests answered by this process, by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpIngestLines = new Counter({
    name: 'kansa_http_ingest_lines_total',
    help: 'Lines received by POST /api/ingest in this process, by source and outcome (stored, duplicate, quarantined, refused)',
    labelNames: ['source', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly httpInflightRequests = new Gauge({
    name: 'kansa_http_inflight_requests',
    help: 'Requests admitted and not yet answered in this process, by class (ingest, api)',
    labelNames: ['class'] as const,
    registers: [this.registry],
  });

  readonly httpInflightBytes = new Gauge({
    name: 'kansa_http_inflight_bytes',
    help: 'Declared body bytes of the ingest requests in flight in this process (Content-Length, or http.bodyLimitBytes without one)',
    labelNames: ['class'] as const,
    registers: [this.registry],
  });

  readonly httpInflightLimit = new Gauge({
    name: 'kansa_http_inflight_limit',
    help: 'Admission limits of this process, by class and kind (requests, bytes)',
    labelNames: ['class', 'kind'] as const,
    registers: [this.registry],
  });

  readonly httpRefused = new Counter({
    name: 'kansa_http_refused_total',
    help: 'Requests answered 503 by admission control before their body was read, by class and reason (busy, shutting-down)',
    labelNames: ['class', 'reason'] as const,
    registers: [this.registry],
  });

  readonly alertDeliveries = new Counter({
    name: 'kansa_alert_deliveries_total',
    help: 'Alert messages attempted by this process, by channel and result (sent, failed, abandoned)',
    labelNames: ['channel', 'result'] as const,
    registers: [this.registry],
  });

  constructor(stats: ServiceStatsRepository) {
    collectDefaultMetrics({ register: this.registry, prefix: 'kansa_process_' });
    const logger = this.logger;
    new Gauge({
      name: 'kansa_storage_up',
      help: '1 when ClickHouse answers a query',
      registers: [this.registry],
      async collect() {
        this.set(
          await stats.ping().then(
            () => 1,
            () => 0,
          ),
        );
      },
    });
    new Gauge({
      name: 'kansa_events_lines',
      help: 'Lines ingested into storage by all collectors, by source, transport and outcome (read, stored, duplicate, quarantined)',
      labelNames: ['source', 'transport', 'outcome'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        try {
          const data = await stats.linesIngested();
          for (const r of data) {
            this.set({ source: r.source, transport: r.transport, outcome: 'read' }, Number(r.read));
            this.set({ source: r.source, transport: r.transport, outcome: 'stored' }, Number(r.stored));
            this.set({ source: r.source, transport: r.transport, outcome: 'duplicate' }, Number(r.duplicates));
            this.set({ source: r.source, transport: r.transport, outcome: 'quarantined' }, Number(r.quarantined));
          }
        } catch (err) {
          logger.warn(`metrics: storage query failed: ${(err as Error).message}`);
        }
      },
    });
    new Gauge({
      name: 'kansa_findings',
      help: 'Findings in storage, by rule and severity',
      labelNames: ['rule', 'severity'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        const data = await stats.findingsByRule().catch(() => []);
        for (const r of data) this.set({ rule: r.rule, severity: r.severity }, Number(r.n));
      },
    });
    new Gauge({
      name: 'kansa_analysis_last_run_seconds',
      help: 'Duration of the last finished analysis run, by kind (incremental, daily, catch-up, manual)',
      labelNames: ['kind', 'status'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        const data = await stats.lastRuns().catch(() => []);
        for (const r of data) this.set({ kind: r.kind, status: r.status }, Number(r.seconds));
      },
    });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
