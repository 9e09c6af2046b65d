import { hashToken } from '@kansa/service-shell';
import { connect, Socket } from 'node:net';
import { join } from 'node:path';
import { chukanRecords } from '../service/fixtures';
import { report, ServiceProcess, startKansaServe, storedCounts, waitFor, writeSiteConfig } from './fault-harness';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

/** A short grace period, so that the test sees its end. */
const GRACE_MS = 4000;
const SLOW_SENDERS = 4;
const SENDER_TOKEN = 'kansa_slow-sender';
const MONITOR_TOKEN = 'kansa_slow-monitor';

jest.setTimeout(300_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A sender on a slow line: the request headers, then its body one byte every 100 ms. */
interface SlowSender {
  /** What the server wrote back, if anything. */
  received(): string;
  /** Resolves when the connection has been closed (by the server). */
  closed: Promise<void>;
  destroy(): void;
}

function slowSender(url: string, bodyBytes: number): SlowSender {
  const { hostname, port } = new URL(url);
  const socket: Socket = connect(Number(port), hostname);
  let received = '';
  socket.on('data', (d) => (received += d));
  socket.on('error', () => undefined); // the server closes the connection: expected
  socket.write(
    `POST /api/ingest/chukan HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${SENDER_TOKEN}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${bodyBytes}\r\n\r\n`,
  );
  const body = JSON.stringify(chukanRecords(1000, { serialPrefix: 'SLOW-' }))
    .padEnd(bodyBytes, ' ')
    .slice(0, bodyBytes);
  let sent = 0;
  const drip = setInterval(() => {
    if (!socket.destroyed && sent < body.length) socket.write(body[sent++]);
  }, 100);
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  void closed.then(() => clearInterval(drip));
  return { received: () => received, closed, destroy: () => socket.destroy() };
}

/**
 * SIGTERM while slow senders (1 byte per 100 ms) are in the middle of their
 * bodies: the process ends within http.shutdownGraceMs — closing their
 * connections at the end of the grace period — with exit code 1 saying
 * requests were interrupted, and everything acknowledged before is stored.
 */
describe('kansa serve: SIGTERM ends the process within http.shutdownGraceMs', () => {
  const work = scratchDir('slow-senders');
  const dataDir = join(work, 'data');
  let service: ServiceProcess;
  let url: string;
  const senders: SlowSender[] = [];

  beforeAll(async () => {
    const config = writeSiteConfig(work, {
      http: {
        shutdownGraceMs: GRACE_MS,
        tokens: [
          { name: 'slow-sender', role: 'ingest', sha256: hashToken(SENDER_TOKEN) },
          { name: 'monitor', role: 'read', sha256: hashToken(MONITOR_TOKEN) },
        ],
      },
      analyzer: { catchUpOnStart: false },
    });
    ({ service, url } = await startKansaServe(['--data-dir', dataDir, '--config', config], { CLICKHOUSE_URL: '' }));
  });
  afterAll(async () => {
    for (const s of senders) s.destroy();
    if (service?.child.exitCode === null && service.child.signalCode === null) await service.kill();
  });

  it(`with slow senders mid-body: exits within the ${GRACE_MS} ms grace period, code 1, interrupted bodies never acknowledged, acknowledged batch stored`, async () => {
    const acknowledged = await fetch(`${url}/api/ingest/chukan`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${SENDER_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(chukanRecords(1000, { serialPrefix: 'ACK-' })),
    });
    expect(acknowledged.status).toBe(200);
    expect(await acknowledged.json()).toMatchObject({ stored: 1000 });

    for (let i = 0; i < SLOW_SENDERS; i++) senders.push(slowSender(url, 100_000));
    // They are counted in flight from the moment their headers arrived.
    await waitFor(
      'the slow senders to be in flight',
      async () => {
        const text = await (await fetch(`${url}/metrics`, { headers: { Authorization: `Bearer ${MONITOR_TOKEN}` } })).text();
        return new RegExp(`^kansa_http_inflight_requests\\{class="ingest"\\} ${SLOW_SENDERS}$`, 'm').test(text);
      },
      60_000,
    );
    await sleep(500); // a few more bytes of each body

    const signalled = Date.now();
    const TOO_LATE = Symbol('still running');
    const code = await Promise.race([service.stop(), sleep(GRACE_MS + 30_000).then(() => TOO_LATE)]);
    const exitMs = Date.now() - signalled;
    if (code === TOO_LATE) {
      await service.kill();
      throw new Error(`kansa serve still ran ${GRACE_MS + 30_000} ms after SIGTERM (grace ${GRACE_MS} ms):\n${service.output()}`);
    }
    await Promise.all(senders.map((s) => s.closed));
    const counts = await storedCounts(dataDir, 'chukan');
    report('shutdown-slow-senders', {
      graceMs: GRACE_MS,
      exitMs,
      exitCode: code,
      slowSenders: SLOW_SENDERS,
      slowSendersAnswered: senders.map((s) => s.received().split('\r\n')[0] || '(closed without answer)'),
      storedRows: counts.rows,
    });

    expect(exitMs).toBeLessThan(GRACE_MS + 5000); // the grace period, and room for a loaded machine to tear the process down
    expect(code).toBe(1);
    expect(service.output()).toContain(`${SLOW_SENDERS} ingest and 0 other requests interrupted`);
    // No slow sender was told its batch was stored.
    for (const s of senders) expect(s.received()).not.toMatch(/^HTTP\/1\.1 2\d\d/);
    // The acknowledged batch is there, once; nothing of the interrupted bodies; the data directory was released.
    expect(counts.rows).toBe(1000);
    expect(counts.distinctEvents).toBe(1000);
  });

  it('exits at the end of the grace period, code 1, when closing does not finish (Kafka enabled, its broker unreachable)', async () => {
    // The Kafka client's connection attempt in progress holds the consumer's stop for 30–40 s.
    const kafkaWork = scratchDir('grace-kafka');
    const config = writeSiteConfig(kafkaWork, { http: { shutdownGraceMs: GRACE_MS }, analyzer: { catchUpOnStart: false } });
    const { service: stuck } = await startKansaServe(['--data-dir', join(kafkaWork, 'data'), '--config', config], {
      CLICKHOUSE_URL: '',
      KAFKA_ENABLED: 'true',
      KAFKA_BROKERS: '127.0.0.1:1',
    });
    await sleep(1000); // the consumer is trying to connect
    const signalled = Date.now();
    const TOO_LATE = Symbol('still running');
    const code = await Promise.race([stuck.stop(), sleep(GRACE_MS + 30_000).then(() => TOO_LATE)]);
    const exitMs = Date.now() - signalled;
    if (code === TOO_LATE) await stuck.kill();
    report('shutdown-grace-stuck-close', { graceMs: GRACE_MS, exitMs, exitCode: code === TOO_LATE ? 'still running' : code });
    expect(code).toBe(1);
    expect(exitMs).toBeLessThan(GRACE_MS + 5000);
    expect(stuck.output()).toContain('shutdown did not finish within the grace period: exiting');
    // The data directory was released with the process.
    expect((await storedCounts(join(kafkaWork, 'data'), 'chukan')).rows).toBe(0);
  });
});
