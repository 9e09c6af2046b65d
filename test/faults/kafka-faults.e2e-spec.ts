import { describeWithKafka, KafkaBroker, startKafkaBroker } from '@kansa/test-kit/kafka-broker';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { Message } from 'kafkajs';
import { queryDataDir, report, ServiceProcess, startCollectorService, storedCounts, waitFor, writeSiteConfig } from './fault-harness';
import { BAD_LINE_KINDS, badJuminLine, cp932, juminLine } from '../kit/jumin-lines';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

/**
 * Faults against the real service (child process), a real broker and the real
 * embedded ClickHouse: afterwards exactly the events sent are stored, once.
 * Sizes: FAULT_EVENTS (default 40000 events), FAULT_STORM (default 4000 bad lines).
 */
const EVENTS = Number(process.env.FAULT_EVENTS ?? 40_000);
const STORM = Number(process.env.FAULT_STORM ?? 4_000);
const TOPIC = 'kansa.jumin';

jest.setTimeout(600_000);

/** N events as messages: alternately one line and a batch of 9 lines (CRLF). */
function juminMessages(first: number, count: number): Message[] {
  const messages: Message[] = [];
  let i = first;
  let batch = false;
  while (i < first + count) {
    const n = batch ? Math.min(9, first + count - i) : 1;
    const lines = Array.from({ length: n }, (_, k) => juminLine(i + k));
    messages.push({ value: cp932(lines.join('\r\n')) });
    i += n;
    batch = !batch;
  }
  return messages;
}

describeWithKafka('Kafka ingest under faults', () => {
  let broker: KafkaBroker;
  let work: string;
  let group = 0;

  beforeAll(async () => {
    broker = await startKafkaBroker();
    work = scratchDir('faults');
  });
  afterAll(async () => {
    await broker?.close();
  });

  /** A fresh topic, data directory and consumer group per test. */
  async function setup(partitions: number) {
    group++;
    const topic = `${TOPIC}.${group}`;
    await broker.createTopics([topic], partitions);
    const dataDir = join(work, `data-${group}`);
    const groupId = `kansa-fault-${group}`;
    const configFile = writeSiteConfig(mkdtempSync(join(work, 'cfg-')), {
      kafka: {
        groupId,
        topics: { jumin: topic },
        // Small fetches (and small producer batches): many batches, so a fault lands mid-stream.
        maxBytesPerPartition: 64 * 1024,
        maxWaitTimeMs: 100,
        sessionTimeoutMs: 6000,
        heartbeatIntervalMs: 1000,
        retry: { initialMs: 200, maxMs: 2000 },
      },
    });
    const start = () => startCollectorService({ dataDir, configFile, brokers: broker.bootstrap });
    return { topic, dataDir, groupId, start };
  }

  async function stopGracefully(service: ServiceProcess): Promise<void> {
    const code = await service.stop();
    const graceful = code === 0 && service.output().includes('停止しました');
    expect({ graceful, output: graceful ? '' : service.output() }).toEqual({ graceful: true, output: '' });
  }

  it('kill -9 of the collector twice while consuming: every event stored exactly once', async () => {
    const { topic, dataDir, groupId, start } = await setup(2);
    const messages = juminMessages(0, EVENTS);
    await broker.produce(topic, messages, { chunk: 50 });

    let service = await start();
    const killedAt: number[] = [];
    for (const fraction of [0.25, 0.6]) {
      await waitFor(`${fraction * 100}% committed`, async () => (await broker.committed(groupId, topic)) >= messages.length * fraction);
      await service.kill();
      killedAt.push(await broker.committed(groupId, topic));
      service = await start();
    }
    await waitFor('all committed', async () => (await broker.committed(groupId, topic)) === messages.length);
    await stopGracefully(service);

    const counts = await storedCounts(dataDir, 'jumin');
    report('kafka-kill-9', {
      events: EVENTS,
      messages: messages.length,
      kills: 2,
      committedAtKill: killedAt,
      ...counts,
      lost: EVENTS - counts.distinctEvents,
      duplicateRows: counts.rows - counts.distinctEvents,
    });
    expect(counts.rows).toBe(EVENTS);
    expect(counts.distinctEvents).toBe(EVENTS);
    expect(counts.distinctSubjects).toBe(EVENTS);
    expect(counts.quarantined).toBe(0);
  });

  it('broker killed and restarted during consumption: the consumer resumes, every event stored exactly once', async () => {
    const { topic, dataDir, groupId, start } = await setup(2);
    const messages = juminMessages(0, EVENTS);
    await broker.produce(topic, messages, { chunk: 50 });

    const service = await start();
    await waitFor('30% committed', async () => (await broker.committed(groupId, topic)) >= messages.length * 0.3);
    await broker.stop({ kill: true });
    await new Promise((r) => setTimeout(r, 5000));
    await broker.start();
    // More events arrive after the restart too.
    const more = juminMessages(EVENTS, 1000);
    await broker.produce(topic, more, { chunk: 50 });
    const total = messages.length + more.length;
    await waitFor('all committed', async () => (await broker.committed(groupId, topic).catch(() => -1)) === total);
    await stopGracefully(service);

    const counts = await storedCounts(dataDir, 'jumin');
    const expected = EVENTS + 1000;
    report('kafka-broker-restart', {
      events: expected,
      messages: total,
      brokerKills: 1,
      ...counts,
      lost: expected - counts.distinctEvents,
      duplicateRows: counts.rows - counts.distinctEvents,
    });
    expect(counts.rows).toBe(expected);
    expect(counts.distinctEvents).toBe(expected);
    expect(counts.quarantined).toBe(0);
  });

  it('a storm of malformed messages among good ones: good ones stored, each bad line quarantined with topic/partition/offset', async () => {
    const { topic, dataDir, groupId, start } = await setup(1);
    // One partition, so offsets are the message positions. Bad lines come alone
    // and inside batch messages next to good lines.
    const messages: Message[] = [];
    const expectedOrigins: string[] = [];
    let good = 0;
    for (let b = 0; b < STORM; b++) {
      if (b % 4 === 3) {
        // A batch message: good, bad, good.
        expectedOrigins.push(`${topic}/0/${messages.length}#2`);
        messages.push({
          value: Buffer.concat([cp932(juminLine(good++)), cp932('\r\n'), badJuminLine(b), cp932('\r\n'), cp932(juminLine(good++))]),
        });
      } else {
        expectedOrigins.push(`${topic}/0/${messages.length}`);
        messages.push({ value: badJuminLine(b) });
        messages.push({ value: cp932(juminLine(good++)) });
      }
    }
    await broker.produce(
      topic,
      messages.map((m) => ({ ...m, partition: 0 })),
      { chunk: 200 },
    );

    const service = await start();
    await waitFor('all committed', async () => (await broker.committed(groupId, topic)) === messages.length);
    await stopGracefully(service);

    const counts = await storedCounts(dataDir, 'jumin');
    const quarantined = await queryDataDir<{ origin: string; field: string; reason: string }>(
      dataDir,
      'SELECT origin, field, reason FROM quarantine WHERE source = {source:String} ORDER BY origin',
      { source: 'jumin' },
    );
    const byField: Record<string, number> = {};
    for (const q of quarantined) byField[q.field] = (byField[q.field] ?? 0) + 1;
    report('kafka-malformed-storm', {
      messages: messages.length,
      good,
      bad: STORM,
      kinds: BAD_LINE_KINDS,
      stored: counts.rows,
      quarantined: quarantined.length,
      byField,
    });
    expect(counts.rows).toBe(good);
    expect(counts.distinctEvents).toBe(good);
    expect(quarantined.map((q) => q.origin).sort()).toEqual([...expectedOrigins].sort());
    expect(quarantined.every((q) => q.reason.length > 0 && q.field.length > 0)).toBe(true);
  });
});
