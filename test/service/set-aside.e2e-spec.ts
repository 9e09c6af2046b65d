import { chukanRecords } from './fixtures';
import { startTestService, TestService } from './service-harness';

/**
 * HTTP ingest when storage refuses: a request spanning ten years is stored
 * whole; a batch refused as a whole is answered 422, set aside, listed, and
 * replayed by a person once the cause is gone — other senders unaffected.
 */
describe('kansa serve: batches storage refuses over HTTP', () => {
  let svc: TestService;

  beforeAll(async () => {
    svc = await startTestService({ storage: { retentionYears: 11 } });
  });
  afterAll(() => svc?.close());
  const post = (records: unknown[]) => svc.request('/api/ingest/chukan', { method: 'POST', token: svc.tokens.ingest, json: records });

  it('one request whose events span 120 months is stored whole, and ingest goes on', async () => {
    const records = Array.from({ length: 120 }, (_, m) => ({
      ...chukanRecords(1, { serialPrefix: 'H', start: m })[0],
      time: `${2016 + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}-15T10:00:00.000+09:00`,
    }));
    const res = await post(records);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ read: 120, stored: 120, setAside: 0 });
    expect((await post(chukanRecords(5, { serialPrefix: 'N' }))).status).toBe(200);
  });

  it('a batch refused whole: 422 naming the reason, listed, other senders unaffected; replayed by a person once fixed', async () => {
    await svc.client.command({ query: "ALTER TABLE events ADD CONSTRAINT refuse CHECK user_id != 'K009999'" });
    const refused = await post(chukanRecords(10, { operator: 'K009999', serialPrefix: 'R' }));
    expect(refused.status).toBe(422);
    const body = (await refused.json()) as { setAside: number; setAsideBatches: Array<{ batchId: string; code: string }>; message: string };
    expect(body).toMatchObject({ setAside: 10, stored: 0, setAsideBatches: [{ code: '469 VIOLATED_CONSTRAINT' }] });
    expect(body.message).toContain('再送は不要');
    const id = body.setAsideBatches[0].batchId;
    expect((await post(chukanRecords(5, { serialPrefix: 'O' }))).status).toBe(200);

    const list = await svc.request('/api/batches/set-aside', { token: svc.tokens.read });
    expect(list.status).toBe(200);
    expect(
      ((await list.json()) as Array<{ batchId: string; state: string; lines: number }>).map((b) => [b.batchId, b.state, b.lines]),
    ).toEqual([[id, 'set_aside', 10]]);
    expect((await svc.request(`/api/batches/${id}/replay`, { method: 'POST', token: svc.tokens.read, json: {} })).status).toBe(403);

    const still = await svc.request(`/api/batches/${id}/replay`, { method: 'POST', token: svc.tokens.triage, json: {} });
    expect(still.status).toBe(409);
    await svc.client.command({ query: 'ALTER TABLE events DROP CONSTRAINT refuse' });
    const replayed = await svc.request(`/api/batches/${id}/replay`, {
      method: 'POST',
      token: svc.tokens.triage,
      json: { comment: '制約を外した' },
    });
    expect(replayed.status).toBe(200);
    expect(await replayed.json()).toMatchObject({
      outcome: { kind: 'stored', stored: 10 },
      batch: { state: 'replayed', updatedBy: 'staff-triage', note: '制約を外した' },
    });
    expect(Number((await svc.rows<{ n: string }>("SELECT count() AS n FROM events WHERE user_id = 'K009999'"))[0].n)).toBe(10);
    expect(
      (await svc.request(`/api/batches/${id}/discard`, { method: 'POST', token: svc.tokens.triage, json: { reason: 'x' } })).status,
    ).toBe(400);
    expect(
      (await svc.request('/api/batches/0123456789abcdef0123456789abcdef/replay', { method: 'POST', token: svc.tokens.triage, json: {} }))
        .status,
    ).toBe(404);
  });

  it('a body nested too deep is 400 naming the item, not 500', async () => {
    const deep = '['.repeat(3000) + ']'.repeat(3000);
    const res = await svc.request('/api/ingest/chukan', {
      method: 'POST',
      token: svc.tokens.ingest,
      headers: { 'Content-Type': 'application/json' },
      body: `[${JSON.stringify(chukanRecords(1)[0]).replace(/}$/, `,"x":${deep}}`)}]`,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain('item 1');
  });
});
