/**
 * npm run bench:kafka -- [--events N] [--partitions P] [--members M] [--lines-per-message L] [--brokers host:port]
 *
 * End to end: a producer process sends N 住民記録 lines (CP932, L lines per
 * message) to a topic of P partitions on a real broker; the collector service
 * (Nest app with the Kafka consumer and the real IngestService on an embedded
 * ClickHouse) consumes them. Prints JSON: events/s from the first message
 * produced to the last offset committed (every event stored), the producer's
 * own rate, consumer lag sampled each second, peak RSS, and the stored count.
 * The last commit is noticed within 100 ms (offsets polled ten times a
 * second). --members: the consumer group members the collector runs
 * (kafka.members; default its configured default).
 * Without --brokers a broker is started (scripts/kafka.sh) and stopped.
 */
import { benchArgs } from './args';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@kansa/config';
import { CLICKHOUSE } from '@kansa/storage';
import { ClickHouseClient } from '@clickhouse/client';
import { KafkaConsumerService } from '@kansa/collector/sources/kafka/kafka-consumer.service';
import { startKafkaBroker, KafkaBroker } from '@kansa/test-kit/kafka-broker';
import { Kafka, logLevel, Message } from 'kafkajs';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaCollectorTestModule } from '../test/kit/kafka-collector.module';
import { cp932, juminLine } from '../test/kit/jumin-lines';

interface Options {
  role: 'run' | 'producer';
  events: number;
  partitions: number;
  members?: number;
  linesPerMessage: number;
  brokers?: string;
  topic?: string;
}

function parseArgs(argv: string[]): Options {
  const { get, num } = benchArgs(argv);
  return {
    role: get('role') === 'producer' ? 'producer' : 'run',
    events: num('events', 1_000_000),
    partitions: num('partitions', 2),
    members: get('members') === undefined ? undefined : num('members', 2),
    linesPerMessage: num('lines-per-message', 50),
    brokers: get('brokers'),
    topic: get('topic'),
  };
}

export async function main(argv: string[]): Promise<void> {
  const options = parseArgs(argv);
  if (options.role === 'producer') return produce(options);
  return run(options);
}

/**
 * The producer process (the sending systems): builds its messages first, prints
 * START, then sends as fast as the broker takes them and prints its own rate.
 */
async function produce(o: Options): Promise<void> {
  const kafka = new Kafka({ brokers: [o.brokers as string], clientId: 'kansa-bench-producer', logLevel: logLevel.ERROR });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const perSend = Math.max(1, Math.floor(2000 / o.linesPerMessage));
  const sends: Message[][] = [];
  for (let next = 0; next < o.events;) {
    const messages: Message[] = [];
    for (let m = 0; m < perSend && next < o.events; m++) {
      const n = Math.min(o.linesPerMessage, o.events - next);
      const lines: string[] = [];
      for (let k = 0; k < n; k++) lines.push(juminLine(next + k));
      messages.push({ value: cp932(lines.join('\r\n')) });
      next += n;
    }
    sends.push(messages);
  }
  process.stdout.write('START\n');
  const started = Date.now();
  const inFlight = new Set<Promise<unknown>>();
  for (const messages of sends) {
    const p = producer.send({ topic: o.topic as string, messages, acks: 1 }).finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= 4) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const seconds = (Date.now() - started) / 1000;
  await producer.disconnect();
  process.stdout.write(JSON.stringify({ produced: o.events, seconds, eventsPerSec: Math.round(o.events / seconds) }) + '\n');
}

interface LagSample {
  t: number;
  producedMessages: number;
  committedMessages: number;
  lagMessages: number;
  storedEvents: number;
}

async function run(o: Options): Promise<void> {
  let broker: KafkaBroker | undefined;
  const work = mkdtempSync(join(tmpdir(), 'kansa-bench-kafka-'));
  try {
    if (!o.brokers) {
      broker = await startKafkaBroker();
      o.brokers = broker.bootstrap;
    }
    const topic = `kansa.bench.${Date.now()}`;
    const groupId = `kansa-bench-${Date.now()}`;
    const kafka = new Kafka({ brokers: [o.brokers], clientId: 'kansa-bench', logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: o.partitions, replicationFactor: 1 }], waitForLeaders: true });

    const config = loadConfig({
      env: {},
      overrides: {
        storage: { dataDir: join(work, 'data'), url: '' },
        kafka: {
          enabled: true,
          brokers: [o.brokers],
          groupId,
          topics: { jumin: topic },
          partitionsConsumedConcurrently: o.partitions,
          ...(o.members ? { members: o.members } : {}),
        },
      },
    });
    const app = await NestFactory.createApplicationContext(KafkaCollectorTestModule.forRoot(config), { logger: ['error'] });
    const consumer = app.get(KafkaConsumerService);
    while (!consumer.status().running) await sleep(50);

    let peakRss = process.memoryUsage().rss;
    const samples: LagSample[] = [];
    const producerProcess = spawn(
      process.execPath,
      [
        join(__dirname, '..', 'bin', 'bench.js'),
        'bench/kafka.bench.ts',
        '--role',
        'producer',
        '--brokers',
        o.brokers,
        '--topic',
        topic,
        '--events',
        String(o.events),
        '--lines-per-message',
        String(o.linesPerMessage),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let producerOut = '';
    producerProcess.stdout.on('data', (d) => (producerOut += d));
    const producerDone = new Promise<number | null>((resolve) => producerProcess.on('exit', resolve));
    let producerExit: number | null | undefined;
    void producerDone.then((code) => (producerExit = code));
    // The clock starts when the producer sends its first message.
    while (!producerOut.includes('START\n')) {
      if (producerExit !== undefined) throw new Error(`producer failed with exit code ${producerExit}`);
      await sleep(20);
    }
    const started = Date.now();

    const totalMessages = Math.ceil(o.events / o.linesPerMessage) + 0;
    const offsets = async () => {
      const high = (await admin.fetchTopicOffsets(topic)).reduce((s, p) => s + Number(p.high), 0);
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const done = (committed?.partitions ?? []).reduce((s, p) => s + Math.max(0, Number(p.offset)), 0);
      return { high, done };
    };
    for (let tick = 1; ; tick++) {
      await sleep(100);
      const { high, done } = await offsets();
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      if (tick % 10 === 0 || done >= totalMessages)
        samples.push({
          t: Math.round((Date.now() - started) / 100) / 10,
          producedMessages: high,
          committedMessages: done,
          lagMessages: high - done,
          storedEvents: consumer.status().totals.stored,
        });
      if (producerExit !== undefined && producerExit !== 0) throw new Error(`producer failed with exit code ${producerExit}`);
      if (done >= totalMessages) break;
    }
    const seconds = (Date.now() - started) / 1000;
    await producerDone;
    const status = consumer.status();
    const client = app.get<ClickHouseClient>(CLICKHOUSE);
    const [row] = await (
      await client.query({
        query: 'SELECT count() AS n FROM events WHERE source = {s:String}',
        query_params: { s: 'jumin' },
        format: 'JSONEachRow',
      })
    ).json<{ n: string }>();
    await admin.disconnect();
    await app.close();

    const result = {
      benchmark: 'kafka',
      events: o.events,
      partitions: o.partitions,
      members: config.kafka.members,
      membersAssigned: status.members.map((m) => m.partitions.length),
      linesPerMessage: o.linesPerMessage,
      messages: totalMessages,
      endToEndSeconds: seconds,
      eventsPerSec: Math.round(o.events / seconds),
      goalEventsPerSec: 150_000,
      producer: JSON.parse(producerOut.replace('START\n', '').trim() || '{}'),
      stored: Number(row.n),
      consumer: status.totals,
      peakRssMB: Math.round(peakRss / 1048576),
      lag: samples,
      cpus: cpus().length,
    };
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    if (result.stored !== o.events) throw new Error(`stored ${result.stored} of ${o.events} events`);
  } finally {
    await broker?.close();
    rmSync(work, { recursive: true, force: true });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
