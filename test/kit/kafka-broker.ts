import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel, Message } from 'kafkajs';

const run = promisify(execFile);
const SCRIPT = join(__dirname, '..', '..', 'scripts', 'kafka.sh');

/** A real single-node KRaft broker (scripts/kafka.sh) in its own directory. */
export interface KafkaBroker {
  /** `127.0.0.1:port`, the same across restarts. */
  bootstrap: string;
  dir: string;
  /** Stops the broker: SIGTERM (clean) or SIGKILL (`kill: true`). */
  stop(options?: { kill?: boolean }): Promise<void>;
  /** Starts it again on the same port and log directory. */
  start(): Promise<void>;
  /** Stops it and deletes its directory. */
  close(): Promise<void>;
  kafka(): Kafka;
  createTopics(topics: string[], partitions?: number): Promise<void>;
  produce(topic: string, messages: Message[], options?: { chunk?: number }): Promise<void>;
  /** Sum of committed offsets of `groupId` on `topic` (−1 offsets count as 0). */
  committed(groupId: string, topic: string): Promise<number>;
}

/** Why a real broker cannot run here, or null when Java and Maven (or cached jars) are present. */
export function kafkaUnavailableReason(): string | null {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (java.error || java.status !== 0) return 'Java is not installed (the Kafka broker needs a JDK 17)';
  const fetched = spawnSync('bash', [SCRIPT, 'fetch'], { encoding: 'utf8', timeout: 600_000 });
  if (fetched.status !== 0) return `the Kafka jars could not be fetched: ${(fetched.stderr || '').trim().split('\n').pop()}`;
  return null;
}

/**
 * `describe` for tests that need a real broker: skipped with a clear message
 * when Java/Maven are missing, except on CI (`CI=true`) where that is a failure.
 */
export function describeWithKafka(name: string, fn: () => void): void {
  const reason = kafkaUnavailableReason();
  if (!reason) {
    describe(name, fn);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs a Kafka broker (Java and Maven are required on CI)', () => {
        throw new Error(`cannot start a Kafka broker on CI: ${reason}`);
      });
    });
    return;
  }

  console.warn(`SKIPPED "${name}": ${reason}. Install Java 17 and Maven to run the Kafka tests.`);
  describe.skip(name, fn);
}

export async function startKafkaBroker(): Promise<KafkaBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'kansa-kafka-'));
  const start = async () => {
    const { stdout } = await run('bash', [SCRIPT, 'start', '--dir', dir], { timeout: 120_000 });
    return stdout.trim().split('\n').pop() as string;
  };
  const bootstrap = await start();
  const kafka = () => new Kafka({ brokers: [bootstrap], clientId: 'kansa-test', logLevel: logLevel.NOTHING });
  const broker: KafkaBroker = {
    bootstrap,
    dir,
    async stop(options = {}) {
      await run('bash', [SCRIPT, 'stop', '--dir', dir, ...(options.kill ? ['--kill'] : [])], { timeout: 60_000 });
    },
    async start() {
      await start();
    },
    async close() {
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    kafka,
    async createTopics(topics, partitions = 1) {
      const admin = kafka().admin();
      await admin.connect();
      try {
        await admin.createTopics({
          topics: topics.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })),
          waitForLeaders: true,
        });
      } finally {
        await admin.disconnect();
      }
    },
    async produce(topic, messages, options = {}) {
      const producer = kafka().producer({ allowAutoTopicCreation: false });
      await producer.connect();
      try {
        const chunk = options.chunk ?? 5000;
        for (let i = 0; i < messages.length; i += chunk) {
          await producer.send({ topic, messages: messages.slice(i, i + chunk), acks: -1 });
        }
      } finally {
        await producer.disconnect();
      }
    },
    async committed(groupId, topic) {
      const admin = kafka().admin();
      await admin.connect();
      try {
        const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
        return (entry?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
      } finally {
        await admin.disconnect();
      }
    },
  };
  return broker;
}
