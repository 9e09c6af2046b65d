import { ClickHouseClient } from '@clickhouse/client';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { KANSA_CONFIG, KansaConfig, loadConfig } from '@kansa/config';
import { CLICKHOUSE, StorageRejectedError } from '@kansa/storage';
import { describeWithKafka, KafkaBroker, startKafkaBroker } from '@kansa/test-kit/kafka-broker';
import { KafkaCollectorTestModule } from '@kansa/test-kit/kafka-collector.module';
import { cp932, juminLine } from '@kansa/test-kit/jumin-lines';
import { INGEST_SERVICE, IngestServicePort, RawRecord } from '../../pipeline/ingest.types';
import { KafkaConsumerService } from './kafka-consumer.service';
import { KafkaObservability } from '../../collector-service.module';
import { HealthRegistry, MetricsService } from '@kansa/service-shell';
import { Registry } from 'prom-client';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

jest.setTimeout(420_000);

const CHUKAN = (i: number) => ({
  time: '2026-09-01T10:00:00.000+09:00',
  operator: 'K000123',
  terminal: 'CHK-TERM-03',
  func: '情報照会',
  procedure: 'JT0123',
  partner: '厚生労働省',
  item: 'TK0001',
  subject: String(10 ** 14 + i),
  serial: `Q${String(i).padStart(12, '0')}`,
  count: 1,
  result: '正常',
});

/** The consumer in-process against a real broker and the real pipeline on embedded ClickHouse. */
describeWithKafka('KafkaConsumerService (real broker, real storage)', () => {
  let broker: KafkaBroker;
  let app: INestApplicationContext;
  let consumer: KafkaConsumerService;
  let client: ClickHouseClient;
  let dataDir: string;
  const group = 'kansa-int';

  beforeAll(async () => {
    broker = await startKafkaBroker();
    await broker.createTopics(['kansa.jumin', 'kansa.chukan', 'kansa.windows'], 2);
    // kansa.terminal is created by the rebalance test, after the consumer started.
    dataDir = scratchDir('kafka-int');
    const config = loadConfig({
      env: {},
      overrides: {
        storage: { dataDir, url: '' },
        kafka: {
          enabled: true,
          brokers: [broker.bootstrap],
          groupId: group,
          maxWaitTimeMs: 100,
          sessionTimeoutMs: 6000,
          heartbeatIntervalMs: 1000,
          retry: { initialMs: 100, maxMs: 500 },
        },
      },
    });
    app = await NestFactory.createApplicationContext(KafkaCollectorTestModule.forRoot(config), { logger: ['error'] });
    consumer = app.get(KafkaConsumerService);
    client = app.get(CLICKHOUSE);
    await until(() => consumer.status().running);
  });
  afterAll(async () => {
    await app?.close();
    await broker?.close();
  });

  const count = async (query: string, params: Record<string, unknown> = {}) =>
    Number((await (await client.query({ query, query_params: params, format: 'JSONEachRow' })).json<{ n: string }>())[0].n);
  const committed = (topic: string) => broker.committed(group, topic);

  it('stores one-line, batch and JSON-array messages once each and commits their offsets', async () => {
    await broker.produce('kansa.jumin', [
      { value: cp932(juminLine(0)) },
      { value: cp932([1, 2, 3].map(juminLine).join('\r\n') + '\r\n') },
      { value: cp932(juminLine(0)) }, // the same line again: a duplicate, not a second event
    ]);
    await broker.produce('kansa.chukan', [
      { value: Buffer.from(JSON.stringify(CHUKAN(1))) },
      { value: Buffer.from(JSON.stringify([CHUKAN(2), CHUKAN(3)])) },
      { value: Buffer.from([CHUKAN(4), CHUKAN(5)].map((o) => JSON.stringify(o)).join('\n')) },
    ]);
    await until(async () => (await committed('kansa.jumin')) === 3 && (await committed('kansa.chukan')) === 3);
    expect(await count("SELECT count() AS n FROM events WHERE source = 'jumin'")).toBe(4);
    expect(await count("SELECT count() AS n FROM events WHERE source = 'chukan'")).toBe(5);
    expect(consumer.status().totals).toMatchObject({ records: 10, stored: 9, duplicates: 1, quarantined: 0 });
  });

  it('Windows Security events shipped by Winlogbeat: staff events stored, a SYSTEM logon kept apart', async () => {
    const winlogbeat = (recordId: number, user: string, domain: string, type: string) => ({
      '@timestamp': '2026-04-01T00:30:00.000Z',
      winlog: {
        channel: 'Security',
        computer_name: 'WS-100100-001.city.local',
        event_id: '4624',
        record_id: String(recordId),
        event_data: { TargetUserName: user, TargetDomainName: domain, LogonType: type, IpAddress: '10.1.0.5' },
      },
    });
    await broker.produce('kansa.windows', [
      { value: Buffer.from(JSON.stringify(winlogbeat(1, 'K000001', 'CITY', '2'))) },
      { value: Buffer.from(JSON.stringify(winlogbeat(2, 'SYSTEM', 'NT AUTHORITY', '5'))) },
      { value: Buffer.from(JSON.stringify(winlogbeat(1, 'K000001', 'CITY', '2'))) }, // redelivered: a duplicate
    ]);
    await until(async () => (await committed('kansa.windows')) === 3);
    expect(await count("SELECT count() AS n FROM events WHERE source = 'windows' AND user_id = 'K000001' AND action = 'login'")).toBe(1);
    expect(await count("SELECT count() AS n FROM events_apart WHERE source = 'windows' AND label = '非職員アカウント: SYSTEM'")).toBe(1);
    expect(consumer.status().totals).toMatchObject({ records: 13, stored: 10, duplicates: 2, apart: 1 });
  });

  it('while storage is unavailable it pauses without committing, then resumes and stores everything once', async () => {
    const before = await committed('kansa.jumin');
    const stored = await count("SELECT count() AS n FROM events WHERE source = 'jumin'");
    // A real storage fault: the events table is detached, so every insert fails.
    await client.command({ query: 'DETACH TABLE events' });
    try {
      await broker.produce(
        'kansa.jumin',
        Array.from({ length: 200 }, (_, i) => ({ value: cp932(juminLine(1000 + i)) })),
      );
      await until(() => consumer.status().pausedForStorage);
      await new Promise((r) => setTimeout(r, 1500));
      expect(await committed('kansa.jumin')).toBe(before);
      expect(consumer.status().pausedForStorage).toBe(true);
    } finally {
      await client.command({ query: 'ATTACH TABLE events' });
    }
    await until(async () => (await committed('kansa.jumin')) === before + 200);
    expect(consumer.status().pausedForStorage).toBe(false);
    expect(await count("SELECT count() AS n FROM events WHERE source = 'jumin'")).toBe(stored + 200);
    expect(await count("SELECT uniqExact(event_id) AS n FROM events WHERE source = 'jumin'")).toBe(stored + 200);
  });

  it('a second consumer joining and the first leaving (two rebalances) store every event exactly once', async () => {
    await broker.createTopics(['kansa.terminal'], 4);
    // Topics are looked up at start: restart so the new topic is subscribed.
    await consumer.stop();
    await consumer.start();
    const line = (i: number) =>
      `2026-09-01 10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')},WS-100100-${String(i).padStart(6, '0')},LGDOM\\K000123,10.1.0.1,ログオン,,,,`;
    const N = 6000;
    await broker.produce(
      'kansa.terminal',
      Array.from({ length: N }, (_, i) => ({ value: cp932(line(i)) })),
      { chunk: 100 },
    );
    const second = new KafkaConsumerService(app.get(KANSA_CONFIG), app.get(INGEST_SERVICE));
    await second.start();
    try {
      await until(async () => (await broker.committed(group, 'kansa.terminal')) >= N / 3);
      await consumer.stop(); // the first leaves: its partitions move to the second
      await until(async () => (await broker.committed(group, 'kansa.terminal')) === N);
    } finally {
      await second.stop();
    }
    expect(await count("SELECT count() AS n FROM events WHERE source = 'terminal'")).toBe(N);
    expect(await count("SELECT uniqExact(event_id) AS n FROM events WHERE source = 'terminal'")).toBe(N);
    expect(await count("SELECT count() AS n FROM quarantine WHERE source = 'terminal'")).toBe(0);
    await consumer.start();
  });

  it('a record that fails again and again while storage is up is quarantined with its offset; the partition moves on', async () => {
    await broker.createTopics(['kansa.poison'], 1);
    const real = app.get<IngestServicePort>(INGEST_SERVICE);
    // A pipeline that fails deterministically on one record (a bug no check foresaw), storage otherwise fine.
    const poison = Buffer.from('POISONJS');
    let failures = 0;
    const failing: IngestServicePort = {
      ingest: async (request) => {
        const records = [...(request.records as RawRecord[])];
        if (!request.refuse && records.some((r) => r.bytes?.includes(poison))) {
          failures++;
          throw new StorageRejectedError({ kind: 'permanent', code: '', message: 'cannot process POISONJS' });
        }
        return real.ingest(request);
      },
    };
    const config = app.get<KansaConfig>(KANSA_CONFIG);
    const settings = {
      ...config,
      kafka: {
        ...config.kafka,
        groupId: 'kansa-poison',
        topics: { jumin: 'kansa.poison' },
        retry: { initialMs: 50, maxMs: 100, maxAttempts: 3 },
      },
    };
    const lines = Array.from({ length: 9 }, (_, i) => juminLine(50_000 + i));
    lines[4] = lines[4].replace(/,K\d{6},/, ',POISONJS,');
    await broker.produce(
      'kansa.poison',
      lines.map((l) => ({ value: cp932(l) })),
    );
    const isolating = new KafkaConsumerService(settings, failing);
    await isolating.start();
    try {
      await until(async () => (await broker.committed('kansa-poison', 'kansa.poison')) === 9);
      // one partition, two members: one holds it, the other waits idle, and the process is connected
      const { members, connected } = isolating.status();
      expect(members.map((m) => m.partitions).sort()).toEqual([[], ['kansa.poison/0']]);
      expect(connected).toBe(true);
    } finally {
      await isolating.stop();
    }
    expect(failures).toBeGreaterThanOrEqual(3);
    expect(
      await count('SELECT count() AS n FROM events WHERE subject_id IN {ids:Array(String)}', { ids: lines.map((l) => l.split(',')[10]) }),
    ).toBe(8);
    const [q] = await (
      await client.query({
        query: "SELECT origin, field, reason FROM quarantine WHERE origin LIKE 'kansa.poison/%'",
        format: 'JSONEachRow',
      })
    ).json<{ origin: string; field: string; reason: string }>();
    expect(q).toEqual({ origin: 'kansa.poison/0/4', field: '(Kafka)', reason: expect.stringContaining('cannot process POISONJS') });
    expect(isolating.status().totals).toMatchObject({ stored: 8, quarantined: 1 });
  });

  it('a member that kafkajs crashes without restarting (its rebalance race) is replaced: consumption goes on, every event once', async () => {
    await broker.createTopics(['kansa.crash'], 1);
    const config = app.get<KansaConfig>(KANSA_CONFIG);
    const settings = {
      ...config,
      kafka: { ...config.kafka, groupId: 'kansa-crash', topics: { jumin: 'kansa.crash' }, members: 1 },
    };
    // The fault kafkajs 2.2 has when a rebalance races a batch: its offset
    // bookkeeping for the partition is gone, the TypeError is unrecoverable to
    // kafkajs, and it stops the consumer for good (CRASH with restart: false).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ConsumerGroup = require('kafkajs/src/consumer/consumerGroup');
    const fault = jest.spyOn(ConsumerGroup.prototype, 'resolveOffset').mockImplementationOnce(() => {
      throw new TypeError("Cannot read properties of undefined (reading '0')");
    });
    const lines = Array.from({ length: 30 }, (_, i) => juminLine(70_000 + i));
    await broker.produce(
      'kansa.crash',
      lines.map((l) => ({ value: cp932(l) })),
    );
    const crashing = new KafkaConsumerService(settings, app.get(INGEST_SERVICE));
    // what an operator's monitoring reads of it: /metrics and the kafka check of /health
    const registry = new Registry();
    const checks = new Map<string, () => Promise<{ ok: boolean }>>();
    new KafkaObservability(
      settings,
      crashing,
      { register: (name: string, check: () => Promise<{ ok: boolean }>) => checks.set(name, check) } as unknown as HealthRegistry,
      { registry } as MetricsService,
    ).onModuleInit();
    await crashing.start();
    try {
      await until(async () => (await broker.committed('kansa-crash', 'kansa.crash')) === 30);
      expect(fault).toHaveBeenCalled();
      await until(() => crashing.status().connected);
      expect(crashing.status().members.map(({ restarts, partitions }) => ({ restarts, partitions }))).toEqual([
        { restarts: 1, partitions: ['kansa.crash/0'] },
      ]);
      expect(await registry.getSingleMetricAsString('kansa_kafka_consumer_restarts_total')).toMatch(
        /^kansa_kafka_consumer_restarts_total 1$/m,
      );
      expect(await checks.get('kafka')!()).toEqual({ ok: true });
    } finally {
      fault.mockRestore();
      await crashing.stop();
    }
    const ids = lines.map((l) => l.split(',')[10]);
    expect(await count('SELECT count() AS n FROM events WHERE subject_id IN {ids:Array(String)}', { ids })).toBe(30);
    expect(await count('SELECT uniqExact(event_id) AS n FROM events WHERE subject_id IN {ids:Array(String)}', { ids })).toBe(30);
    // the batch stored before the crash came again to the new member: recognised, not stored twice
    const { stored, duplicates } = crashing.status().totals;
    expect({ stored, redelivered: duplicates > 0 }).toEqual({ stored: 30, redelivered: true });
  });

  it('runs two members of the group (kafka.members): each stores the batches of partitions of its own, every event once', async () => {
    const before = consumer.status();
    expect(before.members).toHaveLength(2);
    expect(before.connected).toBe(true);
    // each member has partitions of its own: together all of the topics' (two each, four of kansa.terminal), none twice
    const assigned = before.members.map((m) => m.partitions);
    expect(assigned.every((ps) => ps.length > 0)).toBe(true);
    expect(assigned.flat().sort()).toEqual([
      'kansa.chukan/0',
      'kansa.chukan/1',
      'kansa.jumin/0',
      'kansa.jumin/1',
      'kansa.terminal/0',
      'kansa.terminal/1',
      'kansa.terminal/2',
      'kansa.terminal/3',
      'kansa.windows/0',
      'kansa.windows/1',
    ]);
    const batches = before.members.map((m) => m.batches);
    const stored = await count("SELECT count() AS n FROM events WHERE source = 'jumin'");
    const sent = await committed('kansa.jumin');
    const N = 400;
    const messages = Array.from({ length: N }, (_, i) => ({ partition: i % 2, value: cp932(juminLine(100_000 + i)) }));
    await broker.produce('kansa.jumin', messages, { chunk: 50 });
    await until(async () => (await committed('kansa.jumin')) === sent + N);
    expect(await count("SELECT count() AS n FROM events WHERE source = 'jumin'")).toBe(stored + N);
    // both members stored batches: the partitions of the topic were consumed by the two
    const owners = consumer
      .status()
      .members.filter((m, i) => m.batches > batches[i] && m.partitions.some((p) => p.startsWith('kansa.jumin/')));
    expect(owners).toHaveLength(2);
  });

  it('stops gracefully: the batch in flight is stored and committed, nothing is stored uncommitted', async () => {
    const before = await committed('kansa.jumin');
    const storedBefore = await count("SELECT count() AS n FROM events WHERE source = 'jumin'");
    await broker.produce(
      'kansa.jumin',
      Array.from({ length: 20_000 }, (_, i) => ({ value: cp932(juminLine(10_000 + i)) })),
      { chunk: 500 },
    );
    const batches = consumer.status().totals.batches;
    // at least one batch stored, the rest in flight or waiting (how many batches 20,000 lines make depends on the load)
    await until(() => consumer.status().totals.batches > batches);
    await consumer.stop();
    const done = (await committed('kansa.jumin')) - before;
    const stored = (await count("SELECT count() AS n FROM events WHERE source = 'jumin'")) - storedBefore;
    expect(done).toBeGreaterThan(0);
    expect(stored).toBe(done); // one line per message: stored events = committed messages
  });
});

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 240_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
