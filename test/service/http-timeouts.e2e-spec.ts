import { TABLES } from '@kansa/storage';
import { connect } from 'node:net';
import { startTestService, TestService } from './service-harness';

/** A raw connection to the service: what it was answered, and when the server closed it. */
function rawConnection(url: string, firstBytes: string, dripBytes = '', everyMs = 100): Promise<{ answer: string; closedAfterMs: number }> {
  const { hostname, port } = new URL(url);
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let answer = '';
    let sent = 0;
    socket.on('data', (d) => (answer += d));
    socket.on('error', () => undefined);
    socket.write(firstBytes);
    const drip = setInterval(() => {
      if (!socket.destroyed && sent < dripBytes.length) socket.write(dripBytes[sent++]);
    }, everyMs);
    socket.on('close', () => {
      clearInterval(drip);
      resolve({ answer, closedAfterMs: Date.now() - started });
    });
  });
}

/**
 * The service's own timeouts (http.headersTimeoutMs, requestTimeoutMs,
 * keepAliveTimeoutMs), short here: a client that is too slow is answered 408
 * and disconnected, nothing of its body is stored; an idle connection is
 * closed. Node's defaults would keep such a client for 300 s.
 */
describe('kansa serve: header, request and keep-alive timeouts', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ http: { headersTimeoutMs: 1500, requestTimeoutMs: 3000, keepAliveTimeoutMs: 1000 } });
  });
  afterAll(() => svc?.close());

  const host = () => new URL(svc.url).host;

  it('cuts off a sender whose body comes too slowly (408), storing nothing of it', async () => {
    const head =
      `POST /api/ingest/chukan HTTP/1.1\r\nHost: ${host()}\r\nAuthorization: Bearer ${svc.tokens.ingest}\r\n` +
      'Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n';
    const r = await rawConnection(svc.url, head, '['.padEnd(5000, ' '));
    expect(r.answer).toMatch(/^HTTP\/1\.1 408/);
    expect(r.closedAfterMs).toBeLessThan(30_000); // 3 s and Node's 1 s check; far from its default 300 s
    const [{ n }] = await svc.rows<{ n: string }>(`SELECT count() AS n FROM ${TABLES.importBatches}`);
    expect(Number(n)).toBe(0);
  });

  it('cuts off a client that never finishes its headers', async () => {
    const r = await rawConnection(svc.url, `GET /api/findings HTTP/1.1\r\nHost: ${host()}\r\n`, 'X-Slow: '.padEnd(200, 'x'), 100);
    expect(r.answer).toMatch(/^HTTP\/1\.1 408/);
    expect(r.closedAfterMs).toBeLessThan(30_000);
  });

  it('closes an idle keep-alive connection', async () => {
    const r = await rawConnection(svc.url, `GET /health HTTP/1.1\r\nHost: ${host()}\r\nConnection: keep-alive\r\n\r\n`);
    expect(r.answer).toMatch(/^HTTP\/1\.1 200/);
    expect(r.closedAfterMs).toBeLessThan(4000); // 1 s here (Node's default: 5 s)
  });
});
