import { TABLES } from '@kansa/storage';
import { chukanRecords } from './fixtures';
import { startTestService, TestService } from './service-harness';

interface Answer {
  read: number;
  stored: number;
  duplicates: number;
  quarantined: number;
  rejected: Array<{ line: number; field: string; reason: string }>;
  share?: { batchId: string; offset: number; requests: number };
}

/**
 * Log shippers sending small batches at once (Fluent Bit, Winlogbeat, NXLog):
 * concurrent POST /api/ingest requests share commits (docs/collector.md
 * "HTTP: requests committed together"), and each sender still gets its own
 * answer — its counts, and its bad lines by its own line numbers.
 */
describe('kansa serve: concurrent small HTTP batches are committed together', () => {
  const SENDERS = 12;
  let svc: TestService;

  beforeAll(async () => {
    svc = await startTestService({ http: { maxInflightRequests: 32 } });
  });
  afterAll(() => svc?.close());

  it('fewer commits than requests; every line stored once; each answer names its own bad line', async () => {
    const bodies = Array.from({ length: SENDERS }, (_, s) => {
      const records: unknown[] = chukanRecords(20, { day: '2025-05-12', start: s * 100 });
      records[1] = { ...(records[1] as object), time: 'yesterday' }; // each request's own line 2
      return records;
    });
    const responses = await Promise.all(
      bodies.map((json) => svc.request('/api/ingest/chukan', { method: 'POST', token: svc.tokens.ingest, json })),
    );
    const answers = await Promise.all(responses.map((r) => r.json() as Promise<Answer>));
    expect(responses.map((r) => r.status)).toEqual(bodies.map(() => 422));
    for (const a of answers) {
      expect({ read: a.read, stored: a.stored, duplicates: a.duplicates, quarantined: a.quarantined }).toEqual({
        read: 20,
        stored: 19,
        duplicates: 0,
        quarantined: 1,
      });
      expect(a.rejected.map((r) => [r.line, r.field])).toEqual([[2, 'time']]);
    }
    const [{ n: commits }] = await svc.rows<{ n: string }>(`SELECT count() AS n FROM ${TABLES.importBatches} WHERE source = 'chukan'`);
    expect(Number(commits)).toBeLessThan(SENDERS);
    expect(answers.some((a) => (a.share?.requests ?? 1) > 1)).toBe(true);
    const [{ n, ids }] = await svc.rows<{ n: string; ids: string }>(
      `SELECT count() AS n, uniqExact(event_id) AS ids FROM ${TABLES.events} WHERE source = 'chukan' AND day = '2025-05-12'`,
    );
    expect([Number(n), Number(ids)]).toEqual([SENDERS * 19, SENDERS * 19]);
    // The same requests again, at once: all duplicates, each told so.
    const again = await Promise.all(
      bodies.map(async (json) => (await svc.request('/api/ingest/chukan', { method: 'POST', token: svc.tokens.ingest, json })).json()),
    );
    for (const a of again as Answer[]) expect([a.stored, a.duplicates, a.quarantined]).toEqual([0, 19, 1]);
  });
});
