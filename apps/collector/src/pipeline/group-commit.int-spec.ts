import { openTestStore, TestStore } from '@kansa/test-kit';
import { juminLine } from '@kansa/test-kit/jumin-lines';
import { StorageUnavailableError } from '@kansa/storage';
import { CollectorKit, startCollector } from '../testing/collector-test-kit';
import { GroupCommitService } from './group-commit';
import { IngestRequest, IngestResult } from './ingest.types';

/** An HTTP request of sender `s` (its own token) with these 住民記録 lines, numbered from 1 as the controller does. */
const request = (s: number, lines: string[]): IngestRequest => ({
  source: 'jumin',
  transport: 'http',
  origin: `http:sender-${s}`,
  records: lines.map((text, i) => ({ lineNo: i + 1, text, origin: `http:sender-${s}#${i + 1}` })),
});
/** Ten distinct lines of its own for request k. */
const lines = (k: number, n = 10) => Array.from({ length: n }, (_, i) => juminLine(k * 1000 + i));
/** A line whose date does not exist (quarantined by the pipeline, naming 処理日時). */
const badDate = (i: number) => juminLine(i).replace(/^\d{4}\/\d\d\/\d\d/, '2026/09/31');
/** A line of user `user` (refused by the test's constraints). */
const byUser = (i: number, user: string) => juminLine(i).replace(/,K\d{6},/, `,${user},`);

/** The counts of a request of ten new lines, all stored. */
const WHOLE = { read: 10, stored: 10, duplicates: 0, quarantined: 0, setAside: 0 };

const counts = (r: IngestResult) => ({
  read: r.read,
  stored: r.stored,
  duplicates: r.duplicates,
  quarantined: r.quarantined,
  setAside: r.setAside,
});

/**
 * Group commit (HTTP ingest of small batches): requests that arrive while a
 * commit is in flight share the next commit, and each is answered with its
 * own counts once it is stored. A request arriving when nothing commits is
 * committed at once; the ones submitted right after it (same tick, so
 * deterministically while it commits) form one group.
 */
describe('group commit of concurrent requests', () => {
  let store: TestStore;
  let collector: CollectorKit;
  const count = async (query: string, params: Record<string, unknown> = {}) =>
    Number((await store.rows<{ n: string }>(query, params))[0].n);
  /**
   * Request k of sender k for each list of lines, submitted in one tick: the
   * first finds nothing committing and is committed at once, the others
   * arrive while it commits and form one group.
   */
  const together = (sent: string[][]) => sent.map((l, k) => collector.groups.submit(request(k, l)));
  const batchesNow = () => count("SELECT count() AS n FROM import_batches WHERE source = 'jumin'");

  beforeAll(async () => {
    // Isolating the lines of a shared batch is bounded like any batch's (docs/collector.md).
    // A group's wait of a minute: were a lone request held for it, its test would time out.
    store = await openTestStore({
      ingest: { isolationAttempts: 12 } as never,
      http: { groupCommit: { maxLines: 20_000, maxWaitMs: 60_000 } } as never,
    });
    collector = await startCollector(store);
  });
  afterAll(async () => {
    await collector.close();
    await store.close();
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await store.client.command({ query: 'ALTER TABLE events DROP CONSTRAINT IF EXISTS refuse' });
    await store.client.command({ query: 'ATTACH TABLE IF NOT EXISTS quarantine' }).catch(() => undefined);
  });

  it('commits concurrent requests together: fewer commits than requests, each line stored once, each answer its own', async () => {
    const before = await batchesNow();
    const sent = [lines(100), lines(101), lines(102), lines(103), lines(104), lines(105), lines(106)];
    sent[3][3] = badDate(103_003); // request 3, its line 4: quarantined
    sent[4][0] = sent[2][0]; // request 4 repeats a line of request 2 (same group)
    sent[5][9] = sent[0][9]; // request 5 repeats a line of request 0 (stored by the commit before)
    const answers = await Promise.all(together(sent));

    expect(answers.map(counts)).toEqual([
      WHOLE,
      WHOLE,
      WHOLE,
      { read: 10, stored: 9, duplicates: 0, quarantined: 1, setAside: 0 },
      { read: 10, stored: 9, duplicates: 1, quarantined: 0, setAside: 0 },
      { read: 10, stored: 9, duplicates: 1, quarantined: 0, setAside: 0 },
      WHOLE,
    ]);
    expect(answers[3].reasons).toEqual({ '処理日時: 日時が不正です (YYYY/MM/DD HH:MM:SS)': 1 });
    // Two commits for seven requests: the first alone (nothing was committing), the six others together.
    expect((await batchesNow()) - before).toBe(2);
    expect(answers[0].share).toBeUndefined();
    const shared = answers.slice(1).map((a) => a.share);
    expect(new Set(shared.map((s) => s?.batchId)).size).toBe(1);
    expect(shared.map((s) => [s?.offset, s?.requests])).toEqual([
      [0, 6],
      [10, 6],
      [20, 6],
      [30, 6],
      [40, 6],
      [50, 6],
    ]);
    // Every line stored exactly once; the quarantined one keeps its own request's line in its origin.
    const distinct = new Set(sent.flat()).size - 1;
    expect(await count("SELECT count() AS n FROM events WHERE source = 'jumin'")).toBe(distinct);
    expect(await count("SELECT uniqExact(event_id) AS n FROM events WHERE source = 'jumin'")).toBe(distinct);
    const [q] = await store.rows<{ origin: string; line_no: string }>(
      'SELECT origin, line_no FROM quarantine WHERE batch_id = {b:String}',
      {
        b: answers[3].batchId,
      },
    );
    expect({ origin: q.origin, line: Number(q.line_no) }).toEqual({ origin: 'http:sender-3#4', line: 20 + 4 });
    // One ledger row for the group, naming its senders, adding up; the chain verifies.
    const [row] = await store.rows<Record<string, string>>(
      'SELECT origin, lines_read, stored, duplicates, quarantined FROM import_batches WHERE batch_id = {b:String}',
      { b: answers[1].batchId },
    );
    expect(row).toEqual({
      origin: 'http:sender-1,http:sender-2,http:sender-3,http:sender-4,http:sender-5,http:sender-6',
      lines_read: 60,
      stored: 57,
      duplicates: 2,
      quarantined: 1,
    });
    expect((await collector.verify.verify()).ok).toBe(true);
  });

  it('a request alone is committed at once, as before (no waiting when nothing else is committing)', async () => {
    const before = await batchesNow();
    const answer = await collector.groups.submit(request(9, lines(200)));
    expect(counts(answer)).toEqual(WHOLE);
    expect(answer.share).toBeUndefined();
    expect((await batchesNow()) - before).toBe(1);
  });

  it('a poison line of one request is quarantined in that request alone; the requests sharing its commit are stored whole', async () => {
    await store.client.command({ query: "ALTER TABLE events ADD CONSTRAINT refuse CHECK user_id != 'POISON'" });
    const before = await batchesNow();
    const sent = [lines(300), lines(301), lines(302), lines(303)];
    sent[2][2] = byUser(302_002, 'POISON');
    const answers = await Promise.all(together(sent));
    expect(answers.map(counts)).toEqual([WHOLE, WHOLE, { read: 10, stored: 9, duplicates: 0, quarantined: 1, setAside: 0 }, WHOLE]);
    expect(Object.keys(answers[2].reasons)).toEqual([expect.stringMatching(/^\(保存\): 保存できませんでした \(ClickHouse 469/)]);
    expect((await batchesNow()) - before).toBe(2);
    const [q] = await store.rows<{ origin: string; field: string }>(
      "SELECT origin, field FROM quarantine WHERE batch_id = {b:String} AND field = '(保存)'",
      { b: answers[2].batchId },
    );
    expect(q).toEqual({ origin: 'http:sender-2#3', field: '(保存)' });
    expect((await collector.verify.verify()).ok).toBe(true);
  });

  it('a request storage refuses whole does not set the others aside: the group is committed again one request at a time', async () => {
    await store.client.command({ query: "ALTER TABLE events ADD CONSTRAINT refuse CHECK user_id != 'K009999'" });
    const sent = [lines(400), lines(401), lines(402).map((_, i) => byUser(402_000 + i, 'K009999')), lines(403)];
    const answers = await Promise.all(together(sent));
    expect(answers.map(counts)).toEqual([WHOLE, WHOLE, { read: 10, stored: 0, duplicates: 0, quarantined: 0, setAside: 10 }, WHOLE]);
    expect(answers[2].setAsideBatches).toEqual([
      { batchId: answers[2].batchId, lines: 10, code: '469 VIOLATED_CONSTRAINT', reason: expect.stringContaining('violated') },
    ]);
    // Only the refused request is set aside, with its own lines; nothing of the given-up group stays.
    expect((await collector.commits.setAsideBatches()).map((b) => ({ id: b.batchId, lines: b.lines, origin: b.origin }))).toEqual([
      { id: answers[2].batchId, lines: 10, origin: 'http:sender-2' },
    ]);
    const ids = [answers[1].batchId, answers[3].batchId];
    expect(await count('SELECT count() AS n FROM events WHERE batch_id IN {ids:Array(String)}', { ids })).toBe(20);
    expect(await count("SELECT count() AS n FROM events WHERE user_id = 'K009999'")).toBe(0);
    expect((await collector.verify.verify()).ok).toBe(true);
  });

  /**
   * Storage goes away as the group's commit begins (the lone request before
   * it was stored): the group's events insert goes through, then the
   * quarantine table is gone (the group has a bad line to quarantine) — the
   * commit fails midway, its intent pending.
   */
  function failGroupCommit(): void {
    const real = collector.commits.commit.bind(collector.commits);
    jest
      .spyOn(collector.commits, 'commit')
      .mockImplementationOnce(real)
      .mockImplementationOnce(async (...args) => {
        await store.client.command({ query: 'DETACH TABLE quarantine' });
        return real(...args);
      });
  }
  const sendAll = (sent: string[][]) => Promise.allSettled(together(sent));
  const outcomes = (settled: PromiseSettledResult<IngestResult>[]) =>
    settled.map((f) => (f.status === 'rejected' ? (f.reason as Error).constructor.name : f.value.stored));
  const storedOf = (sent: string[][]) =>
    count("SELECT count() AS n FROM events WHERE source = 'jumin' AND raw IN {raw:Array(String)}", { raw: sent.flat() });

  it('storage unavailable mid-group: every request of the group gets the error; resent, every line is stored exactly once', async () => {
    const sent = [lines(500), lines(501), lines(502), lines(503)];
    sent[2][4] = badDate(502_004);
    failGroupCommit();
    const failed = await sendAll(sent);
    // The lone request before was stored and answered; the three of the group are told to resend (503 + Retry-After).
    expect(outcomes(failed)).toEqual([10, StorageUnavailableError.name, StorageUnavailableError.name, StorageUnavailableError.name]);
    await store.client.command({ query: 'ATTACH TABLE quarantine' });
    // Resent: the failed shared commit is completed first (once), so the resent lines are duplicates.
    const again = await Promise.all(sent.slice(1).map((l, k) => collector.groups.submit(request(k + 1, l))));
    expect(again.map(counts)).toEqual([
      { read: 10, stored: 0, duplicates: 10, quarantined: 0, setAside: 0 },
      { read: 10, stored: 0, duplicates: 9, quarantined: 1, setAside: 0 },
      { read: 10, stored: 0, duplicates: 10, quarantined: 0, setAside: 0 },
    ]);
    expect(await storedOf(sent)).toBe(39);
    expect(await count("SELECT count() - uniqExact(event_id) AS n FROM events WHERE source = 'jumin'")).toBe(0);
    expect((await collector.verify.verify()).ok).toBe(true);
  });

  it('a restart mid-group loses nothing: the next process completes the shared commit, the resent requests are duplicates', async () => {
    const sent = [lines(600), lines(601), lines(602), lines(603)];
    sent[2][4] = badDate(602_004);
    failGroupCommit();
    expect(outcomes(await sendAll(sent))).toEqual([10, ...sent.slice(1).map(() => StorageUnavailableError.name)]);
    // The process ends with the shared commit half done; the next one starts on the same data directory.
    await collector.close();
    await store.client.command({ query: 'ATTACH TABLE quarantine' });
    collector = await startCollector(store);
    expect(await storedOf(sent)).toBe(39);
    const [row] = await store.rows<{ origin: string; lines_read: number; stored: number }>(
      "SELECT origin, lines_read, stored FROM import_batches WHERE origin = 'http:sender-1,http:sender-2,http:sender-3' ORDER BY seq DESC LIMIT 1",
    );
    expect(row).toEqual({ origin: 'http:sender-1,http:sender-2,http:sender-3', lines_read: 30, stored: 29 });
    // The senders, never answered, resend: nothing stored twice.
    const again = await Promise.all(sent.slice(1).map((l, k) => collector.groups.submit(request(k + 1, l))));
    expect(again.map((a) => [a.stored, a.duplicates, a.quarantined])).toEqual([
      [0, 10, 0],
      [0, 9, 1],
      [0, 10, 0],
    ]);
    expect(await storedOf(sent)).toBe(39);
    expect(await count("SELECT count() - uniqExact(event_id) AS n FROM events WHERE source = 'jumin'")).toBe(0);
    expect((await collector.verify.verify()).ok).toBe(true);
  });

  /** A group committer like the service's, with its own gatherMs. */
  const committer = (gatherMs: number) =>
    new GroupCommitService(
      { ...store.config, http: { ...store.config.http, groupCommit: { ...store.config.http.groupCommit, gatherMs } } },
      collector.ingest,
    );
  /** Sender s (of its own instance): `rounds` requests of new lines, each sent 5 ms after the answer to the one before (a round trip). */
  const sender = async (groups: GroupCommitService, instance: string, first: number, s: number, rounds: number) => {
    const answers: IngestResult[] = [];
    for (let r = 0; r < rounds; r++) {
      if (r > 0) await new Promise((ok) => setTimeout(ok, 5));
      answers.push(await groups.submit({ ...request(s, lines(first + s * 10 + r)), instance }));
    }
    return answers;
  };
  /** Requests per commit, smallest first, of five senders sending again when answered; sender 0 sends once more than the others. */
  const requestsPerCommit = async (gatherMs: number, instance: string, first: number) => {
    const groups = committer(gatherMs);
    try {
      const answers = (await Promise.all([5, 4, 4, 4, 4].map((rounds, s) => sender(groups, instance, first, s, rounds)))).flat();
      expect(answers.map(counts)).toEqual(answers.map(() => WHOLE));
      const perCommit = new Map<string, number>();
      for (const a of answers) perCommit.set(a.batchId, (perCommit.get(a.batchId) ?? 0) + 1);
      return [...perCommit.values()].sort((a, b) => a - b);
    } finally {
      groups.onModuleDestroy();
    }
  };

  it('senders that send again as soon as they are answered share every commit, instead of alternating between two half groups', async () => {
    // Without waiting for them: the first request alone, then the four others; the first's next request
    // arrives while they commit and is committed alone after them, and so on.
    expect((await requestsPerCommit(0, 'alternating', 800)).length).toBeGreaterThan(5);
    // Waiting for the senders just answered (a minute at most): after the first request, every commit holds all five.
    expect(await requestsPerCommit(60_000, 'gathered', 900)).toEqual([1, 5, 5, 5, 5]);
    expect((await collector.verify.verify()).ok).toBe(true);
  });

  it('a lone sender is not held by that wait: each of its requests is committed at once', async () => {
    const groups = committer(60_000);
    try {
      // Held for the minute, the test would time out.
      const answers = await sender(groups, 'lone', 990, 0, 3);
      expect(answers.map(counts)).toEqual([WHOLE, WHOLE, WHOLE]);
      expect(answers.map((a) => a.share)).toEqual([undefined, undefined, undefined]);
      expect(new Set(answers.map((a) => a.batchId)).size).toBe(3);
    } finally {
      groups.onModuleDestroy();
    }
  });
});
