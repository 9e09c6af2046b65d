import { z } from 'zod';
import { registerEnvOverride } from '../load-config';

/** Kafka ingest (collector): one topic per source, one consumer group. */
export const kafkaSection = z
  .object({
    /** The consumer runs only under `kansa serve` and only when this is true (env KAFKA_ENABLED). */
    enabled: z.boolean().default(false),
    /** Bootstrap brokers, `host:port` (env KAFKA_BROKERS, comma-separated). */
    brokers: z
      .array(z.string().regex(/^[^\s:]+:\d+$/, 'expected host:port'))
      .min(1)
      .default(['127.0.0.1:9092']),
    clientId: z.string().min(1).default('kansa-collector'),
    /** Every collector process in this group shares the partitions (scale out by adding processes). */
    groupId: z.string().min(1).default('kansa-collector'),
    /** Source → topic. A source may be any configured source system. */
    topics: z.record(z.string().regex(/^[a-z][a-z0-9_-]*$/), z.string().regex(/^[A-Za-z0-9._-]+$/, 'invalid topic name')).default({
      jumin: 'kansa.jumin',
      atena: 'kansa.atena',
      chukan: 'kansa.chukan',
      terminal: 'kansa.terminal',
      canonical: 'kansa.canonical',
      windows: 'kansa.windows',
    }),
    /** A new group starts at the earliest offset (nothing already in a topic is skipped). */
    fromBeginning: z.boolean().default(true),
    /** Bytes fetched per partition at once: one fetch becomes one ingest batch (bounded memory). */
    maxBytesPerPartition: z
      .number()
      .int()
      .min(1024)
      .default(8 * 1024 * 1024),
    /** Bytes fetched per request over all partitions. */
    maxBytes: z
      .number()
      .int()
      .min(1024)
      .default(32 * 1024 * 1024),
    /** How long the broker may wait to fill a fetch. */
    maxWaitTimeMs: z.number().int().min(0).default(500),
    /** Partitions processed at the same time by each member (each holds at most one batch). */
    partitionsConsumedConcurrently: z.number().int().min(1).max(64).default(2),
    /**
     * Members of the consumer group this process runs. Each fetches its own
     * partitions, so one member's next batch is fetched and staged while
     * another's is committed; a member without a partition (more members
     * than partitions) waits idle. 2: 1,000,000 events end to end 110-123k
     * events/s with one, 130-160k with two (docs/kafka.md).
     */
    members: z.number().int().min(1).max(16).default(2),
    sessionTimeoutMs: z.number().int().min(6000).default(30000),
    heartbeatIntervalMs: z.number().int().min(100).default(3000),
    /** Backoff while storage is unavailable: the partition is paused, the batch retried. */
    retry: z
      .object({
        initialMs: z.number().int().min(10).default(500),
        maxMs: z.number().int().min(10).default(30000),
        /**
         * Attempts at a batch that fails for a reason other than storage being
         * unavailable (which is waited out, however long); then its records
         * are taken one group at a time and a record that still fails is
         * quarantined with its topic/partition/offset.
         */
        maxAttempts: z.number().int().min(1).max(100).default(5),
      })
      .strict()
      .default({ initialMs: 500, maxMs: 30000, maxAttempts: 5 }),
  })
  .strict();

export type KafkaConfig = z.infer<typeof kafkaSection>;

registerEnvOverride('KAFKA_BROKERS', ['kafka', 'brokers'], (v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
registerEnvOverride('KAFKA_ENABLED', ['kafka', 'enabled'], (v) => /^(1|true|yes|on)$/i.test(v));
