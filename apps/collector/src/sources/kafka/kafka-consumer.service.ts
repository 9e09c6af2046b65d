import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { KANSA_CONFIG, KafkaConfig, KansaConfig } from '@kansa/config';
import { Consumer, EachBatchPayload, Kafka, logLevel, LogEntry } from 'kafkajs';
import { classifyStorageError } from '@kansa/storage';
import { INGEST_SERVICE, IngestRequest, IngestResult, IngestServicePort, RawRecord } from '../../pipeline/ingest.types';
import { toRawRecords } from './kafka-records.mapper';

/** What `/health` and `/metrics` read. */
export interface KafkaConsumerStatus {
  running: boolean;
  /** Every member of this process connected to the group (joined, partitions assigned). */
  connected: boolean;
  /** This process's members of the group (`kafka.members`): whether each joined, its partitions (`topic/partition`) and the batches it stored. */
  members: KafkaMemberStatus[];
  /** Consumption paused because storage is unavailable; retrying with backoff. */
  pausedForStorage: boolean;
  /** The most recent error (a crash, a failed start or batch), kept after recovery; /health shows it while a member is not joined. */
  lastError?: string;
  /** Messages behind the end of each partition after the last committed batch, by `topic/partition`. */
  lag: Record<string, number>;
  totals: KafkaConsumerTotals;
}

export interface KafkaMemberStatus {
  joined: boolean;
  partitions: string[];
  batches: number;
  /** Times the member's consumer stopped on an error kafkajs does not retry and a new one took its place. */
  restarts: number;
}

/** A group member of this process: its consumer, and what status() reports of it. */
interface Member {
  consumer: Consumer;
  status: KafkaMemberStatus;
  /** The wait before the next replacement: grows while replacements crash again before storing a batch. */
  replaceDelayMs?: number;
}

export interface KafkaConsumerTotals {
  batches: number;
  messages: number;
  /** Messages without a record (tombstones, blank). */
  empty: number;
  records: number;
  stored: number;
  duplicates: number;
  quarantined: number;
  /** Records kept apart (not staff activity). */
  apart: number;
  /** Lines of batches storage refused, set aside for an operator. */
  setAside: number;
  /** Ingest attempts that failed and were retried. */
  retries: number;
}

/**
 * Consumes one topic per source in one consumer group and hands each fetched
 * batch to the IngestService. The process runs `kafka.members` members of the
 * group (2 by default): each fetches its own partitions, so while one
 * member's batch is being committed another's is fetched and staged (commits
 * stay one at a time, CommitService). The batch's offsets are committed only
 * after the IngestService resolved (every accepted record stored, bad ones
 * quarantined). While storage is unavailable, every member's topics are
 * paused and the batch in hand is retried with backoff — at most one batch
 * per partition worker of each member is ever held in memory. A redelivered batch (after a crash
 * or rebalance) is stored once: the event identity comes from content.
 *
 * Part of the service only (KafkaConsumerModule is imported by `kansa serve`,
 * never by plain commands); consumes only when `kafka.enabled` is true.
 */
@Injectable()
export class KafkaConsumerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('KafkaConsumer');
  private readonly settings: KafkaConfig;
  private readonly sourceByTopic: Map<string, string>;
  /** The group members of this process (kafka.members). */
  private members: Member[] = [];
  private subscribed: string[] = [];
  /** consumer.run() returned: fetching. */
  private consuming = false;
  private pausedForStorage = false;
  private lastError?: string;
  private readonly lag: Record<string, number> = {};
  private readonly totals: KafkaConsumerTotals = {
    batches: 0,
    messages: 0,
    empty: 0,
    records: 0,
    stored: 0,
    duplicates: 0,
    quarantined: 0,
    apart: 0,
    setAside: 0,
    retries: 0,
  };
  /** Wakes sleeping retries on stop. */
  private stopping?: AbortController;
  private starting?: Promise<void>;
  /** Members being replaced after a crash kafkajs does not restart from. */
  private readonly replacing = new Set<Promise<void>>();

  constructor(
    @Inject(KANSA_CONFIG) config: KansaConfig,
    @Inject(INGEST_SERVICE) private readonly ingest: IngestServicePort,
  ) {
    this.settings = config.kafka;
    const unknown = Object.keys(config.kafka.topics).filter((source) => !(source in config.sources));
    if (unknown.length > 0) {
      // A configuration mistake: stop the service from starting rather than consume into nowhere.
      throw new Error(
        `kafka.topics.${unknown[0]}: no source system "${unknown[0]}" is configured in sources (known: ${Object.keys(config.sources).join(', ')}) / 未知のシステムです`,
      );
    }
    this.sourceByTopic = new Map(Object.entries(config.kafka.topics).map(([source, topic]) => [topic, source]));
  }

  get enabled(): boolean {
    return this.settings.enabled;
  }

  /**
   * With `kafka.enabled`, starts consuming in the background: an unreachable
   * broker does not stop the service from starting (readiness shows it), and
   * the start is retried with backoff until it succeeds or the service stops.
   */
  onApplicationBootstrap(): void {
    if (!this.settings.enabled) return;
    this.stopping = new AbortController();
    this.starting = this.startWithRetry();
  }

  private async startWithRetry(): Promise<void> {
    let delay = this.settings.retry.initialMs;
    while (!this.stopping?.signal.aborted) {
      try {
        await this.start();
        this.lastError = undefined;
        return;
      } catch (err) {
        this.lastError = (err as Error).message;
        this.logger.error(`cannot start consuming, retry in ${delay} ms / Kafka の受信を開始できません: ${this.lastError}`);
        await this.discardConsumer();
        if (!(await this.sleep(delay))) return;
        delay = this.backoff(delay);
      }
    }
  }

  private async discardConsumer(): Promise<void> {
    const members = this.members;
    this.members = [];
    await Promise.all(members.map((m) => m.consumer.disconnect().catch(() => undefined)));
  }

  async start(): Promise<void> {
    if (this.members.length > 0) return;
    const s = this.settings;
    const kafka = new Kafka({
      clientId: s.clientId,
      brokers: s.brokers,
      logLevel: logLevel.WARN,
      logCreator: () => (entry: LogEntry) => this.log(entry),
      retry: { initialRetryTime: 300, maxRetryTime: 10_000, retries: 10 },
    });
    const topics = await this.existingTopics(kafka);
    if (!this.stopping || this.stopping.signal.aborted) this.stopping = new AbortController();
    this.subscribed = topics;
    this.members = Array.from({ length: s.members }, () => ({
      consumer: this.consumer(kafka),
      status: { joined: false, partitions: [], batches: 0, restarts: 0 },
    }));
    for (const member of this.members) await this.run(kafka, member);
    this.consuming = true;
    this.logger.log(`consuming ${topics.join(', ')} from ${s.brokers.join(',')} as group ${s.groupId} (${s.members} members)`);
  }

  /** Joins the group with the member's consumer and starts fetching; its status kept up to date from the consumer's events. */
  private async run(kafka: Kafka, member: Member): Promise<void> {
    const s = this.settings;
    const { consumer, status } = member;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      status.joined = true;
      status.partitions = Object.entries(e.payload.memberAssignment).flatMap(([topic, ps]) => ps.map((p) => `${topic}/${p}`));
    });
    // a consumer that was replaced no longer speaks for the member
    const current = () => member.consumer === consumer;
    const left = () => {
      if (!current()) return;
      status.joined = false;
      status.partitions = [];
    };
    consumer.on(consumer.events.CRASH, (e) => {
      if (!current()) return;
      left();
      this.lastError = e.payload.error?.message;
      if (!e.payload.restart) this.replace(kafka, member, e.payload.error);
    });
    consumer.on(consumer.events.DISCONNECT, left);
    consumer.on(consumer.events.STOP, left);
    await consumer.connect();
    await consumer.subscribe({ topics: this.subscribed, fromBeginning: s.fromBeginning });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: s.partitionsConsumedConcurrently,
      eachBatch: async (payload) => {
        if (!(await this.handleBatch(payload))) return;
        status.batches++;
        member.replaceDelayMs = undefined;
      },
    });
  }

  /**
   * kafkajs gives up on a consumer for good when the error is one it does not
   * retry (a TypeError inside kafkajs, as its offset bookkeeping has when a
   * rebalance races a batch in flight). Messages are only committed after
   * they were stored, so nothing is lost; but the member would never join
   * again and its partitions would stall. A new consumer takes its place,
   * with backoff, until it runs or the service stops; what the old one stored
   * without committing comes again and is recognised as duplicates.
   */
  private replace(kafka: Kafka, member: Member, error: Error): void {
    const replacing = (async () => {
      let delay = member.replaceDelayMs ?? this.settings.retry.initialMs;
      let reason = error?.message;
      for (;;) {
        this.logger.warn(
          `a group member stopped on an error kafkajs does not retry (${reason}); a new one joins in ${delay} ms / Kafka の受信を再開します`,
        );
        if (!(await this.sleep(delay)) || !this.members.includes(member)) return;
        await member.consumer.disconnect().catch(() => undefined);
        member.consumer = this.consumer(kafka);
        try {
          await this.run(kafka, member);
          member.status.restarts++;
          // a member that crashes again before it stored a batch waits longer each time
          member.replaceDelayMs = this.backoff(delay);
          return;
        } catch (err) {
          reason = (err as Error).message;
          this.lastError = reason;
          delay = this.backoff(delay);
        }
      }
    })();
    this.replacing.add(replacing);
    void replacing.finally(() => this.replacing.delete(replacing));
  }

  /** A consumer of the group with kansa's settings. */
  private consumer(kafka: Kafka): Consumer {
    const s = this.settings;
    return kafka.consumer({
      groupId: s.groupId,
      sessionTimeout: s.sessionTimeoutMs,
      heartbeatInterval: s.heartbeatIntervalMs,
      maxBytesPerPartition: s.maxBytesPerPartition,
      maxBytes: s.maxBytes,
      maxWaitTimeInMs: s.maxWaitTimeMs,
      allowAutoTopicCreation: false,
      // The broker may be gone for a while (restart, network): keep trying,
      // never give up on a topic that holds unread logs.
      retry: { initialRetryTime: 300, maxRetryTime: 10_000, retries: 10, restartOnFailure: async () => true },
    });
  }

  /**
   * The configured topics that exist on the cluster. A configured topic that
   * does not exist (yet) is reported and skipped, so one unused source does
   * not stop the others; topics are never created by the consumer.
   */
  private async existingTopics(kafka: Kafka): Promise<string[]> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const present = new Set(await admin.listTopics());
      const configured = [...this.sourceByTopic.keys()];
      const missing = configured.filter((t) => !present.has(t));
      if (missing.length > 0) {
        this.logger.warn(`topics not found, not consumed: ${missing.join(', ')} / トピックが存在しないため受信しません`);
      }
      const topics = configured.filter((t) => present.has(t));
      if (topics.length === 0) throw new Error(`none of the configured topics exist: ${configured.join(', ')}`);
      return topics;
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Graceful stop: no new fetches; the batch in flight finishes and is
   * committed (a batch waiting for storage is left uncommitted and will be
   * redelivered), then the consumer leaves the group.
   */
  async stop(): Promise<void> {
    this.stopping?.abort();
    await this.starting;
    await Promise.all(this.replacing);
    if (this.members.length === 0) return;
    await Promise.all(this.members.map((m) => m.consumer.disconnect()));
    this.members = [];
    this.consuming = false;
    this.logger.log('consumer stopped');
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  status(): KafkaConsumerStatus {
    return {
      running: this.consuming,
      connected: this.members.length > 0 && this.members.every((m) => m.status.joined),
      members: this.members.map((m) => ({ ...m.status, partitions: [...m.status.partitions] })),
      pausedForStorage: this.pausedForStorage,
      lastError: this.lastError,
      lag: { ...this.lag },
      totals: { ...this.totals },
    };
  }

  /** Stores a fetched batch, then commits its offsets; true when it did (false: empty, or left for redelivery). */
  private async handleBatch(payload: EachBatchPayload): Promise<boolean> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale, commitOffsetsIfNecessary } = payload;
    if (batch.isEmpty()) return false;
    const { topic, partition } = batch;
    const source = this.sourceByTopic.get(topic);
    if (!source) throw new Error(`no source is configured for topic ${topic}`);
    const { records, empty } = toRawRecords(topic, partition, batch.messages);
    const lastOffset = batch.lastOffset();

    let delay = this.settings.retry.initialMs;
    let attempts = 0;
    for (;;) {
      // Stopping or the partition moved: leave the batch uncommitted (it is redelivered).
      if (!isRunning() || isStale()) return false;
      try {
        if (records.length > 0) {
          const request = { source, transport: 'kafka' as const, origin: topic, records };
          // Storage is there but the batch keeps failing: take it apart rather than stall the partition.
          if (attempts >= this.settings.retry.maxAttempts)
            await this.whileHeartbeating(heartbeat, () => this.isolate(request, this.lastError ?? ''));
          else this.count(await this.whileHeartbeating(heartbeat, () => this.ingest.ingest(request)));
        }
        break;
      } catch (err) {
        this.totals.retries++;
        this.lastError = (err as Error).message;
        if (classifyStorageError(err).kind === 'unavailable') {
          // Storage down: wait it out, however long (the broker keeps the messages).
          this.pauseForStorage(err as Error, delay);
        } else {
          attempts++;
          this.logger.warn(
            `batch ${topic}/${partition} up to offset ${lastOffset} failed (attempt ${attempts} of ${this.settings.retry.maxAttempts}): ${this.lastError}`,
          );
        }
        if (!(await this.sleep(delay))) return false;
        delay = this.backoff(delay);
        await heartbeat(); // a rebalance during the outage throws here: the batch goes to the new owner
      }
    }

    resolveOffset(lastOffset);
    await commitOffsetsIfNecessary({
      topics: [{ topic, partitions: [{ partition, offset: (BigInt(lastOffset) + 1n).toString() }] }],
    });
    this.resumeAfterStorage();
    this.totals.batches++;
    this.totals.messages += batch.messages.length;
    this.totals.empty += empty;
    this.totals.records += records.length;
    this.lag[`${topic}/${partition}`] = Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(lastOffset) - 1n));
    await heartbeat();
    return true;
  }

  private count(result: IngestResult): void {
    this.totals.stored += result.stored;
    this.totals.duplicates += result.duplicates;
    this.totals.quarantined += result.quarantined;
    this.totals.apart += result.apart;
    this.totals.setAside += result.setAside;
  }

  /**
   * A batch that fails again and again while storage is available: its
   * records are stored half by half, down to single records; a record that
   * still fails on its own is quarantined (with its topic/partition/offset
   * and the error), so the partition moves on and the good records around it
   * are stored. Storage becoming unavailable meanwhile is thrown (the batch is
   * redelivered; what was stored is recognised as duplicates).
   */
  private async isolate(request: IngestRequest & { records: RawRecord[] }, error: string): Promise<void> {
    const { records } = request;
    try {
      this.count(await this.ingest.ingest(request));
      return;
    } catch (err) {
      if (classifyStorageError(err).kind === 'unavailable') throw err;
      error = (err as Error).message;
    }
    if (records.length === 1) {
      const reason = `保存できないため隔離しました (${this.settings.retry.maxAttempts}回以上失敗): ${error}`.slice(0, 500);
      this.count(await this.ingest.ingest({ ...request, refuse: { field: '(Kafka)', reason } }));
      this.logger.error(`record ${records[0].origin} quarantined after repeated failures: ${error}`);
      return;
    }
    const mid = Math.ceil(records.length / 2);
    await this.isolate({ ...request, records: records.slice(0, mid) }, error);
    await this.isolate({ ...request, records: records.slice(mid) }, error);
  }

  /** Keeps the group membership alive while a large batch is being stored. */
  private async whileHeartbeating<T>(heartbeat: () => Promise<void>, work: () => Promise<T>): Promise<T> {
    const timer = setInterval(() => heartbeat().catch(() => undefined), Math.max(100, this.settings.heartbeatIntervalMs));
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  private pauseForStorage(err: Error, delay: number): void {
    if (!this.pausedForStorage) {
      this.pausedForStorage = true;
      for (const m of this.members) m.consumer.pause(this.subscribed.map((topic) => ({ topic })));
    }
    this.logger.warn(`storage unavailable, consumption paused, retry in ${delay} ms / 保存できないため受信を一時停止: ${err.message}`);
  }

  private resumeAfterStorage(): void {
    if (!this.pausedForStorage) return;
    this.pausedForStorage = false;
    this.lastError = undefined;
    for (const m of this.members) m.consumer.resume(this.subscribed.map((topic) => ({ topic })));
    this.logger.log('storage available again, consumption resumed / 受信を再開しました');
  }

  /** The wait after `delay`: twice as long, at most `kafka.retry.maxMs`. */
  private backoff(delay: number): number {
    return Math.min(delay * 2, this.settings.retry.maxMs);
  }

  /** Resolves true after `ms`, or false at once when the consumer is stopping. */
  private sleep(ms: number): Promise<boolean> {
    const signal = this.stopping?.signal;
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** kafkajs retries what it logs (coordinator moves, broker restarts): warnings, not errors. */
  private log(entry: LogEntry): void {
    const text = `${entry.log.message}${entry.log.error ? `: ${String(entry.log.error)}` : ''}`;
    this.logger.warn(`kafka: ${text}`);
  }
}
