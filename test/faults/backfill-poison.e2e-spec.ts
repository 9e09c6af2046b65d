import { generateToken, hashToken } from '@kansa/service-shell';
import { openClickHouse } from '@kansa/storage';
import { describeWithKafka, KafkaBroker, startKafkaBroker } from '@kansa/test-kit/kafka-broker';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { queryDataDir, report, startCollectorService, storedCounts, waitFor, writeSiteConfig } from './fault-harness';
import { cp932, JUMIN_HEADER, juminLine } from '../kit/jumin-lines';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

jest.setTimeout(600_000);

const BIN = join(__dirname, '..', '..', 'bin', 'kansa.js');

/** The i-th line of a ten-year history: one a month from 2016-01, unique by 宛名番号 (base + i). */
function historyLine(m: number, base: number): string {
  const f = juminLine(base + m).split(',');
  f[0] = `${2016 + Math.floor(m / 12)}/${String((m % 12) + 1).padStart(2, '0')}/15 10:00:00`;
  return f.join(',');
}
const tenYears = (base: number) => Array.from({ length: 120 }, (_, m) => historyLine(m, base));

/**
 * Operators' situations against the real `kansa serve` (child process), a
 * real broker and the real embedded ClickHouse: a history backfill, a poison
 * message. Afterwards exactly what was sent is accounted for, once.
 */
describeWithKafka('backfills and poison messages never wedge kansa', () => {
  let broker: KafkaBroker;
  let work: string;

  beforeAll(async () => {
    broker = await startKafkaBroker();
    work = scratchDir('backfill');
  });
  afterAll(async () => {
    await broker?.close();
  });

  it('a ten-year history by `kansa import` and by HTTP while Kafka and other senders go on: every event stored once', async () => {
    const topic = 'kansa.jumin.backfill';
    await broker.createTopics([topic], 2);
    const dataDir = join(work, 'data-backfill');
    const token = generateToken();
    // Retention of 11 years: the whole decade is within it (older lines are quarantined, see docs/collector.md).
    const configFile = writeSiteConfig(mkdtempSync(join(work, 'cfg-')), {
      storage: { retentionYears: 11 },
      http: { tokens: [{ name: 'sender', role: 'ingest', sha256: hashToken(token) }] },
      kafka: {
        groupId: 'kansa-backfill',
        topics: { jumin: topic },
        maxWaitTimeMs: 100,
        sessionTimeoutMs: 6000,
        heartbeatIntervalMs: 1000,
        retry: { initialMs: 200, maxMs: 2000 },
      },
    });

    // 1. The file, before the service runs (embedded: one process owns the data directory).
    const file = join(work, 'JUMIN_OPLOG_20160115.csv');
    writeFileSync(file, cp932([JUMIN_HEADER, ...tenYears(1_000_000)].join('\r\n') + '\r\n'));
    const imported = spawnSync(process.execPath, [BIN, 'import', file, '--data-dir', dataDir, '--config', configFile, '--json'], {
      encoding: 'utf8',
    });
    expect({ status: imported.status, stderr: imported.stderr }).toEqual({ status: 0, stderr: '' });
    expect(JSON.parse(imported.stdout).total).toEqual({ read: 120, stored: 120, duplicates: 0, quarantined: 0, apart: 0, setAside: 0 });
    const info = spawnSync(process.execPath, [BIN, 'info', '--data-dir', dataDir, '--config', configFile, '--json'], { encoding: 'utf8' });
    expect(info.status).toBe(0);
    expect(JSON.parse(info.stdout).counts).toMatchObject({ events: 120, setAside: 0, pendingCommits: 0 });

    // 2. The service: Kafka consumption and ordinary senders go on while a decade arrives over HTTP.
    const service = await startCollectorService({ dataDir, configFile, brokers: broker.bootstrap });
    const url = /kansa serve .*: (http:\/\/\S+)/.exec(service.output())?.[1] as string;
    const post = (lines: string[]) =>
      fetch(`${url}/api/ingest/jumin`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(lines),
      });
    const KAFKA = 3000;
    const producing = broker.produce(
      topic,
      Array.from({ length: KAFKA }, (_, i) => ({ value: cp932(juminLine(2_000_000 + i)) })),
      { chunk: 100 },
    );
    const senders = Array.from({ length: 4 }, (_, s) => post(Array.from({ length: 200 }, (_, i) => juminLine(3_000_000 + s * 1000 + i))));
    const backfill = await post(tenYears(4_000_000));
    const answer = (await backfill.json()) as Record<string, unknown>;
    const statuses = await Promise.all(senders.map(async (r) => (await r).status));
    await producing;
    const again = await post(tenYears(4_000_000));
    const againAnswer = (await again.json()) as Record<string, unknown>;
    await waitFor('Kafka to be consumed', async () => (await broker.committed('kansa-backfill', topic)) === KAFKA);
    expect(await service.stop()).toBe(0);

    expect({ status: backfill.status, read: answer.read, stored: answer.stored, setAside: answer.setAside }).toEqual({
      status: 200,
      read: 120,
      stored: 120,
      setAside: 0,
    });
    expect(statuses).toEqual([200, 200, 200, 200]);
    expect({ status: again.status, stored: againAnswer.stored, duplicates: againAnswer.duplicates }).toEqual({
      status: 200,
      stored: 0,
      duplicates: 120,
    });
    const counts = await storedCounts(dataDir, 'jumin');
    const total = 120 + KAFKA + 4 * 200 + 120;
    expect({ rows: counts.rows, distinct: counts.distinctEvents, quarantined: counts.quarantined }).toEqual({
      rows: total,
      distinct: total,
      quarantined: 0,
    });
    const [months] = await queryDataDir<{ n: string }>(
      dataDir,
      "SELECT uniqExact(toYYYYMM(ts)) AS n FROM events WHERE subject_id BETWEEN '1004000000' AND '1004000119'",
    );
    expect(Number(months.n)).toBe(120);
    const verify = spawnSync(process.execPath, [BIN, 'verify', '--data-dir', dataDir, '--config', configFile], { encoding: 'utf8' });
    expect({ status: verify.status, stderr: verify.stderr }).toEqual({ status: 0, stderr: '' });
    report('backfill', {
      imported: 120,
      httpBackfill: answer.stored,
      kafka: KAFKA,
      senders: statuses,
      stored: counts.rows,
      distinct: counts.distinctEvents,
    });
  });

  it('a poison message between good ones: the good ones are stored, the poison one quarantined with its offset', async () => {
    const topic = 'kansa.jumin.poison';
    await broker.createTopics([topic], 1);
    const dataDir = join(work, 'data-poison');
    // What makes the message poison is the storage's to say: here a constraint the events table carries.
    const client = await openClickHouse({ dataDir });
    try {
      const { migrate } = await import('@kansa/storage');
      await migrate(client);
      await client.command({ query: "ALTER TABLE events ADD CONSTRAINT no_poison CHECK user_id != 'POISON'" });
    } finally {
      await client.close();
    }
    const configFile = writeSiteConfig(mkdtempSync(join(work, 'cfg-')), {
      kafka: {
        groupId: 'kansa-poison',
        topics: { jumin: topic },
        maxWaitTimeMs: 100,
        sessionTimeoutMs: 6000,
        heartbeatIntervalMs: 1000,
        retry: { initialMs: 200, maxMs: 1000 },
      },
    });
    const lines = Array.from({ length: 21 }, (_, i) => juminLine(5_000_000 + i));
    lines[10] = lines[10].replace(/,K\d{6},/, ',POISON,');
    await broker.produce(
      topic,
      lines.map((l) => ({ value: cp932(l) })),
    );
    const more = Array.from({ length: 20 }, (_, i) => juminLine(5_100_000 + i));

    const service = await startCollectorService({ dataDir, configFile, brokers: broker.bootstrap });
    await waitFor('the first messages to be consumed', async () => (await broker.committed('kansa-poison', topic)) === 21, 120_000);
    await broker.produce(
      topic,
      more.map((l) => ({ value: cp932(l) })),
    );
    await waitFor('the partition to move on', async () => (await broker.committed('kansa-poison', topic)) === 41, 120_000);
    expect(await service.stop()).toBe(0);

    const counts = await storedCounts(dataDir, 'jumin');
    expect({ rows: counts.rows, distinct: counts.distinctEvents, quarantined: counts.quarantined }).toEqual({
      rows: 40,
      distinct: 40,
      quarantined: 1,
    });
    const [q] = await queryDataDir<{ origin: string; field: string; reason: string; raw: string }>(
      dataDir,
      'SELECT origin, field, reason, raw FROM quarantine',
    );
    expect({ origin: q.origin, field: q.field, raw: q.raw }).toEqual({ origin: `${topic}/0/10`, field: '(保存)', raw: lines[10] });
    expect(q.reason).toContain('VIOLATED_CONSTRAINT');
    report('poison', { consumed: 41, stored: counts.rows, quarantined: counts.quarantined, origin: q.origin });
  });
});
