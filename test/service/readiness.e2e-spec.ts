import { startTestService, TestService } from './service-harness';

/** Readiness covers Kafka when it is enabled: an unreachable broker makes the service not ready. */
describe('kansa serve: readiness with Kafka enabled but no broker', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ kafka: { enabled: true, brokers: ['127.0.0.1:1'] } });
  });
  afterAll(() => svc?.close());

  it('answers /health 503 naming Kafka, while storage is fine', async () => {
    const res = await svc.request('/health');
    expect(res.status).toBe(503);
    const body = (await res.json()) as { live: boolean; ready: boolean; checks: Record<string, { ok: boolean; detail?: string }> };
    expect(body.live).toBe(true);
    expect(body.ready).toBe(false);
    expect(body.checks.storage.ok).toBe(true);
    expect(body.checks.kafka.ok).toBe(false);
    expect(body.checks.kafka.detail).toContain('127.0.0.1:1');
    expect(body.checks.kafka.detail).toContain('0 of 2 group members joined');
    const metrics = await (await svc.request('/metrics', { token: svc.tokens.read })).text();
    expect(metrics).toContain('kansa_kafka_consumer_connected 0');
  });
});
