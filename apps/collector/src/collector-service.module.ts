import { Inject, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { HealthRegistry, MetricsService } from '@kansa/service-shell';
import { Counter, Gauge } from 'prom-client';
import { CollectorModule } from './collector.module';
import { KafkaConsumerModule } from './sources/kafka/kafka-consumer.module';
import { KafkaConsumerService } from './sources/kafka/kafka-consumer.service';
import { HttpIngestModule } from './sources/http/http-ingest.module';

/** The Kafka consumer's state in /health (readiness) and /metrics (lag, totals). */
@Injectable()
export class KafkaObservability implements OnModuleInit {
  constructor(
    @Inject(KANSA_CONFIG) private readonly config: KansaConfig,
    private readonly kafka: KafkaConsumerService,
    private readonly health: HealthRegistry,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    if (!this.config.kafka.enabled) return;
    const kafka = this.kafka;
    this.health.register('kafka', async () => {
      const s = kafka.status();
      if (!s.connected) {
        const joined = `${s.members.filter((m) => m.joined).length} of ${this.config.kafka.members} group members joined`;
        return {
          ok: false,
          detail: `not connected to ${this.config.kafka.brokers.join(',')} (${joined})${s.lastError ? `: ${s.lastError}` : ''}`,
        };
      }
      if (s.pausedForStorage) return { ok: false, detail: 'paused: storage unavailable, retrying' };
      return { ok: true };
    });
    new Gauge({
      name: 'kansa_kafka_consumer_lag',
      help: 'Messages behind the end of each partition after the last committed batch',
      labelNames: ['topic', 'partition'] as const,
      registers: [this.metrics.registry],
      collect() {
        this.reset();
        for (const [key, lag] of Object.entries(kafka.status().lag)) {
          const i = key.lastIndexOf('/');
          this.set({ topic: key.slice(0, i), partition: key.slice(i + 1) }, lag);
        }
      },
    });
    new Gauge({
      name: 'kansa_kafka_consumer_connected',
      help: '1 when every consumer group member of this process has joined its group',
      registers: [this.metrics.registry],
      collect() {
        this.set(kafka.status().connected ? 1 : 0);
      },
    });
    new Counter({
      name: 'kansa_kafka_consumer_restarts_total',
      help: 'Group members of this process replaced after their consumer stopped on an error kafkajs does not retry',
      registers: [this.metrics.registry],
      collect() {
        this.reset();
        this.inc(kafka.status().members.reduce((n, m) => n + m.restarts, 0));
      },
    });
    new Counter({
      name: 'kansa_kafka_records_total',
      help: 'Kafka records handed to the pipeline by this process, by outcome',
      labelNames: ['outcome'] as const,
      registers: [this.metrics.registry],
      collect() {
        const t = kafka.status().totals;
        this.reset();
        this.inc({ outcome: 'stored' }, t.stored);
        this.inc({ outcome: 'duplicate' }, t.duplicates);
        this.inc({ outcome: 'quarantined' }, t.quarantined);
        this.inc({ outcome: 'set_aside' }, t.setAside);
        this.inc({ outcome: 'retried_batches' }, t.retries);
      },
    });
  }
}

/** What the collector service runs: the pipeline, HTTP ingest and the Kafka consumer (when enabled). */
@Module({
  imports: [CollectorModule, HttpIngestModule, KafkaConsumerModule],
  providers: [KafkaObservability],
})
export class CollectorServiceModule {}
