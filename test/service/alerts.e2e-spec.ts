import { AlertDispatcher } from '@kansa/analyzer/alerts/alert-dispatcher.service';
import { RULE_CATALOG, RuleCatalog } from '@kansa/analyzer/detection/rule-catalog';
import { TABLES } from '@kansa/storage';
import { startSmtpReceiver, startWebhookReceiver } from './receivers';
import { findingRow } from './fixtures';
import { startTestService, TestService } from './service-harness';

const RESIDENT = '010000000053217';

describe('kansa serve: alerts by e-mail (real SMTP receiver) and webhook (real HTTP receiver)', () => {
  let svc: TestService;
  let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
  let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let dispatcher: AlertDispatcher;
  let titles: Map<string, string>;
  let seq = 0;
  const newId = () => (++seq).toString(16).padStart(32, 'c');

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    hook = await startWebhookReceiver();
    svc = await startTestService({
      alerts: {
        enabled: true,
        pollSeconds: 3600,
        digestThreshold: 3,
        consoleUrl: 'https://kansa.city.example.lg.jp',
        retry: { initialDelaySeconds: 1, maxDelaySeconds: 2, maxAttempts: 3 },
        email: { enabled: true, host: '127.0.0.1', port: smtp.port, from: 'kansa@city.example.lg.jp', to: ['security@city.example.lg.jp'] },
        webhook: { enabled: true, url: hook.url, secretHeader: 'X-Kansa-Secret', secret: 'hook-secret' },
      },
    });
    dispatcher = svc.app.get(AlertDispatcher);
    titles = new Map(svc.app.get<RuleCatalog>(RULE_CATALOG).map((r) => [r.id, r.title]));
    await dispatcher.dispatchOnce(); // the round started with the service
  });
  afterAll(async () => {
    await svc?.close();
    await smtp?.close();
    await hook?.close();
  });

  const insert = (rows: Array<Record<string, unknown>>) =>
    svc.client.insert({ table: TABLES.findings, values: rows, format: 'JSONEachRow' });

  it('sends each high/critical finding once per channel with title, staff ID, time, count and ID — and no resident identifier', async () => {
    const high = newId();
    const critical = newId();
    await insert([
      findingRow(high, 'mass-lookup', 'high', 'K001123'),
      findingRow(critical, 'watchlist-access', 'critical', 'K002200', {
        details: JSON.stringify({ category: 'DV支援措置', residents: [RESIDENT] }),
      }),
      findingRow(newId(), 'off-hours', 'medium', 'K003300'),
      findingRow(newId(), 'missing-reason', 'low', 'K004400'),
    ]);
    const summary = await dispatcher.dispatchOnce();
    expect(summary.map((s) => [s.channel, s.sent, s.failed])).toEqual([
      ['email', 2, 0],
      ['webhook', 2, 0],
    ]);
    expect(smtp.mails).toHaveLength(2);
    const mail = smtp.mails.find((m) => m.text.includes(high))!;
    expect(mail.to).toEqual(['security@city.example.lg.jp']);
    expect(mail.subject).toContain(titles.get('mass-lookup'));
    expect(mail.text).toContain(titles.get('mass-lookup'));
    expect(mail.text).toContain('職員ID: K001123');
    expect(mail.text).toContain('件数: 120');
    expect(mail.text).toContain('2025-04-15 10:00 〜 2025-04-15 10:39');
    expect(mail.text).toContain(`https://kansa.city.example.lg.jp/findings/${high}`);
    expect(hook.hooks).toHaveLength(2);
    expect(hook.hooks[0].headers['x-kansa-secret']).toBe('hook-secret');
    const watch = hook.hooks.find((h) => JSON.stringify(h.body).includes(critical))!;
    expect(watch.body).toMatchObject({
      kind: 'kansa.findings',
      digest: false,
      findings: [{ findingId: critical, rule: 'watchlist-access', severity: 'critical', userId: 'K002200', count: 120 }],
    });
    // Nothing that identifies a resident or a watchlist category leaves kansa.
    for (const text of [...smtp.mails.map((m) => m.raw + m.text + m.subject), ...hook.hooks.map((h) => JSON.stringify(h.body))]) {
      expect(text).not.toContain(RESIDENT);
      expect(text).not.toContain('DV支援措置');
      expect(text).not.toContain('照会 120 件'); // the finding's summary stays inside
    }
  });

  it('does not send again on the next round, nor after a re-analysis replaces the finding', async () => {
    expect(await dispatcher.dispatchOnce()).toEqual([
      expect.objectContaining({ channel: 'email', due: 0 }),
      expect.objectContaining({ channel: 'webhook', due: 0 }),
    ]);
    const [sent] = await svc.rows<{ finding_id: string }>(
      `SELECT finding_id FROM ${TABLES.alertDeliveries} WHERE rule = 'mass-lookup' LIMIT 1`,
    );
    const later = new Date(Date.now() + 9 * 3600_000 + 1000).toISOString().replace('T', ' ').slice(0, 23);
    await insert([
      findingRow(sent.finding_id, 'mass-lookup', 'high', 'K001123', { count: 150, detected_at: later, updated_at: later, run_id: 'rerun' }),
    ]);
    await dispatcher.dispatchOnce();
    expect(smtp.mails).toHaveLength(2);
    expect(hook.hooks).toHaveLength(2);
  });

  it('sends one digest when more than digestThreshold findings are due at once', async () => {
    const ids = Array.from({ length: 5 }, () => newId());
    await insert(ids.map((id, i) => findingRow(id, 'mass-output', 'high', `K10${i}`)));
    const summary = await dispatcher.dispatchOnce();
    expect(summary.map((s) => [s.channel, s.sent, s.messages])).toEqual([
      ['email', 5, 1],
      ['webhook', 5, 1],
    ]);
    const digest = smtp.mails[2];
    expect(digest.subject).toContain('5 件');
    for (const id of ids) expect(digest.text).toContain(id);
    expect(hook.hooks[2].body).toMatchObject({ digest: true });
    expect((hook.hooks[2].body.findings as unknown[]).length).toBe(5);
    const rows = await svc.rows<{ message_id: string; digest: boolean }>(
      `SELECT message_id, digest FROM ${TABLES.alertDeliveries} WHERE channel = 'email' AND finding_id IN {ids:Array(String)}`,
      { ids },
    );
    expect(rows).toHaveLength(5);
    expect(new Set(rows.map((r) => r.message_id)).size).toBe(1);
  });

  it('retries a failed delivery after the backoff and records every attempt', async () => {
    const id = newId();
    await insert([findingRow(id, 'unauthorized-use', 'high', 'K009900')]);
    hook.failNext = 1;
    const first = await dispatcher.dispatchOnce();
    expect(first.find((s) => s.channel === 'webhook')).toMatchObject({ due: 1, failed: 1, sent: 0 });
    expect(first.find((s) => s.channel === 'email')).toMatchObject({ sent: 1 });
    // Within the backoff nothing is retried.
    expect((await dispatcher.dispatchOnce()).find((s) => s.channel === 'webhook')).toMatchObject({ due: 0 });
    await new Promise((r) => setTimeout(r, 1200));
    expect((await dispatcher.dispatchOnce()).find((s) => s.channel === 'webhook')).toMatchObject({ due: 1, sent: 1 });
    expect(hook.failures).toBe(1);
    const attempts = await svc.rows<{ attempt: number; status: string; error: string }>(
      `SELECT attempt, status, error FROM ${TABLES.alertDeliveries} WHERE finding_id = {id:String} AND channel = 'webhook' ORDER BY at, attempt`,
      { id },
    );
    expect(attempts.map((a) => [Number(a.attempt), a.status])).toEqual([
      [1, 'failed'],
      [2, 'sent'],
    ]);
    expect(attempts[0].error).toContain('500');
    // Exactly one message per finding and channel reached the receivers overall.
    const sent = await svc.rows<{ channel: string; n: string; f: string }>(
      `SELECT channel, count() AS n, uniqExact(finding_id) AS f FROM ${TABLES.alertDeliveries} WHERE status = 'sent' GROUP BY channel ORDER BY channel`,
    );
    expect(sent.map((s) => [s.channel, Number(s.n), Number(s.f)])).toEqual([
      ['email', 8, 8],
      ['webhook', 8, 8],
    ]);
  });
});
