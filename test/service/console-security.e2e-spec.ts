import { AccountsService, hashToken } from '@kansa/service-shell';
import { TABLES } from '@kansa/storage';
import { chukanRecords } from './fixtures';
import { startTestService, TestService } from './service-harness';

const JUMIN_ONLY = 'kansa_jumin-only-sender-token-for-the-test-000000000';

/**
 * What the console's security adds to the service: ingest tokens kept to
 * their sources, X-Forwarded-For believed only from configured proxies, and
 * failed log-ins rate-limited per address.
 */
describe('scoped ingest tokens, trusted proxies, failed log-ins per address', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({
      http: {
        trustedProxies: ['127.0.0.1'],
        tokens: [{ name: 'jumin-sender', role: 'ingest', sources: ['jumin'], sha256: hashToken(JUMIN_ONLY) }],
      },
      auth: { maxFailuresPerAddressPerMinute: 5 },
    });
  }, 120_000);
  afterAll(() => svc?.close());

  it('refuses a 住民記録 token posting 中間サーバー logs, and quarantines canonical events claiming another source', async () => {
    const other = await svc.request('/api/ingest/chukan', { method: 'POST', token: JUMIN_ONLY, json: chukanRecords(2) });
    expect(other.status).toBe(403);
    expect(((await other.json()) as { message: string }).message).toContain('chukan');
    const event = (source: string, n: number) => ({
      ts: `2025-04-14T10:00:0${n}+09:00`,
      source,
      userId: 'K000001',
      action: 'view',
      subjectId: '0000012345',
    });
    const canonical = await svc.request('/api/ingest/canonical', {
      method: 'POST',
      token: JUMIN_ONLY,
      json: [event('jumin', 1), event('chukan', 2)],
    });
    expect(canonical.status).toBe(422);
    const body = (await canonical.json()) as {
      stored: number;
      quarantined: number;
      rejected: Array<{ line: number; field: string; reason: string }>;
    };
    expect(body).toMatchObject({ stored: 1, quarantined: 1 });
    expect(body.rejected).toEqual([expect.objectContaining({ line: 2, field: 'source', reason: expect.stringContaining('chukan') })]);
    const stored = await svc.rows<{ source: string }>(`SELECT source FROM ${TABLES.events} WHERE user_id = 'K000001'`);
    expect(stored.map((r) => r.source)).toEqual(['jumin']);
    // A token without a list (made before scoping) still sends any source.
    expect((await svc.request('/api/ingest/chukan', { method: 'POST', token: svc.tokens.ingest, json: chukanRecords(1) })).status).toBe(
      200,
    );
  });

  it('records the client named by X-Forwarded-For of a trusted proxy, and the proxy itself', async () => {
    const res = await svc.request('/api/events?user=K000001&purpose=' + encodeURIComponent('調査'), {
      token: svc.tokens.read,
      headers: { 'X-Forwarded-For': '10.20.30.40' },
    });
    expect(res.status).toBe(200);
    const [row] = await svc.rows<{ remote_addr: string; peer_addr: string }>(
      `SELECT remote_addr, peer_addr FROM ${TABLES.apiAccessLog} WHERE route = '/api/events' ORDER BY at DESC LIMIT 1`,
    );
    expect(row.remote_addr).toBe('10.20.30.40');
    expect(row.peer_addr).toMatch(/127\.0\.0\.1/);
  });

  it('answers 429 with Retry-After once an address has failed too often, whoever it tries', async () => {
    const made = await svc.app
      .get(AccountsService)
      .add({ name: 'throttle-test', role: 'viewer' }, { kind: 'cli', name: 'test', role: 'cli' });
    const login = (name: string, password: string, from: string) =>
      svc.request('/api/session', { method: 'POST', json: { name, password }, headers: { 'X-Forwarded-For': from } });
    for (let i = 0; i < 5; i++) expect((await login(`nobody-${i}`, 'wrong', '10.9.9.9')).status).toBe(401);
    const refused = await login('throttle-test', made.oneTimePassword, '10.9.9.9');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another address is not held back.
    expect((await login('throttle-test', made.oneTimePassword, '10.9.9.10')).status).toBe(200);
    const failures = await svc.rows<{ outcome: string; remote_addr: string }>(
      `SELECT outcome, remote_addr FROM ${TABLES.apiAccessLog} WHERE kind = 'login_failure' AND remote_addr = '10.9.9.9'`,
    );
    expect(failures.filter((f) => f.outcome === 'failed')).toHaveLength(5);
    expect(failures.filter((f) => f.outcome === 'refused')).toHaveLength(1);
  });
});
