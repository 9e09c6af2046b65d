import { openTestStore, TestStore } from '@kansa/test-kit';
import * as iconv from 'iconv-lite';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BatchLedgerRepository, IntegrityChecksRepository, VerifyService } from '@kansa/integrity';
import { SourceSystems } from '../source-systems/source-system.registry';
import { SET_ASIDE_DIR, writeIntent } from '../sink/commit-intent';
import { StagingBatch, STAGING_FORMAT } from '../sink/staging.writer';
import { FileImportService } from '../sources/file-import/file-import.service';
import { eventBounds, eventChecksSql } from './event-checks';
import { SetAsideRequestError } from '../sink/commit.service';
import { CollectorKit, startCollector } from '../testing/collector-test-kit';
import { IngestService } from './ingest.service';
import { RecordProcessor } from './record-processor';
import { rowText } from '../sink/row-bytes';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

const HEADER =
  '処理日時,職員ID,職員氏名,所属コード,所属名,端末ID,IPアドレス,画面ID,画面名,処理区分,宛名番号,個人番号表示,処理事由,対象件数,処理結果';
/** A 住民記録 line at `ts` (YYYY/MM/DD HH:MM:SS) by `user`; `n` makes it unique. */
const line = (ts: string, n: number, user = 'K001198') =>
  `${ts},${user},職員,100700,納税課,WS-1,10.0.0.1,JR0101,照会,照会,${String(n).padStart(10, '0')},無,窓口,1,正常`;
/** One line a month, 2016-01 … 2025-12: the kind of file a city writes when it moves ten years of old logs in. */
const tenYears = () =>
  Array.from({ length: 120 }, (_, m) => line(`${2016 + Math.floor(m / 12)}/${String((m % 12) + 1).padStart(2, '0')}/15 10:00:00`, m));
const day = (i: number) =>
  line(`2025/04/14 09:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`, 1000 + i);

describe('commits that storage refuses never wedge kansa', () => {
  let store: TestStore;
  let ingest: IngestService;
  let files: FileImportService;
  const dir = scratchDir('commit-failures');
  let fileNo = 0;
  const write = (lines: string[]) => {
    const path = join(dir, `JUMIN_OPLOG_2025${String(++fileNo).padStart(4, '0')}.csv`);
    writeFileSync(path, iconv.encode([HEADER, ...lines].join('\r\n') + '\r\n', 'cp932'));
    return path;
  };
  const count = async (query: string, params: Record<string, unknown> = {}) =>
    Number((await store.rows<{ n: string }>(query, params))[0].n);
  let collector: CollectorKit;
  /** The next process on the same data directory (the one before stops). */
  const restart = async () => {
    await collector?.close();
    collector = await startCollector(store);
    return collector.ingest;
  };

  beforeAll(async () => {
    // Retention of 11 years, so that the whole ten-year file is within it.
    store = await openTestStore({ storage: { retentionYears: 11 } as never, ingest: { isolationAttempts: 12 } as never });
    ingest = await restart();
    files = collector.files;
  });
  afterAll(async () => {
    await collector.close();
    await store.close();
  });
  afterEach(async () => {
    await store.client.command({ query: 'ALTER TABLE events DROP CONSTRAINT IF EXISTS refuse' });
  });

  it('stores a file spanning ten years (120 monthly partitions) whole, once, in one batch', async () => {
    const r = await files.importFile(write(tenYears()));
    expect({ read: r.read, stored: r.stored, quarantined: r.quarantined, setAside: r.setAside, batches: r.batchIds.length }).toEqual({
      read: 120,
      stored: 120,
      quarantined: 0,
      setAside: 0,
      batches: 1,
    });
    expect(await count('SELECT count() AS n FROM events WHERE batch_id = {b:String}', { b: r.batchId })).toBe(120);
    expect(await count('SELECT uniqExact(toYYYYMM(ts)) AS n FROM events WHERE batch_id = {b:String}', { b: r.batchId })).toBe(120);
    const again = await files.importFile(write(tenYears()));
    expect({ stored: again.stored, duplicates: again.duplicates }).toEqual({ stored: 0, duplicates: 120 });
    expect((await collector.verify.verify()).ok).toBe(true);
  });

  it("a line storage refuses is isolated and quarantined with the engine's reason; the rest of its batch is stored", async () => {
    await store.client.command({ query: "ALTER TABLE events ADD CONSTRAINT refuse CHECK user_id != 'POISON'" });
    const lines = Array.from({ length: 40 }, (_, i) => day(i));
    lines[22] = line('2025/04/14 11:00:00', 5000, 'POISON');
    const r = await files.importFile(write(lines));
    expect({ read: r.read, stored: r.stored, quarantined: r.quarantined, setAside: r.setAside }).toEqual({
      read: 40,
      stored: 39,
      quarantined: 1,
      setAside: 0,
    });
    const [q] = await store.rows<{ line_no: string; field: string; reason: string; raw: string }>(
      'SELECT line_no, field, reason, raw FROM quarantine WHERE batch_id = {b:String}',
      { b: r.batchId },
    );
    expect({ line: Number(q.line_no), field: q.field }).toEqual({ line: 24, field: '(保存)' });
    expect(q.reason).toContain('469 VIOLATED_CONSTRAINT');
    expect(q.raw).toBe(lines[22]);
    const [batch] = await store.rows<Record<string, string>>(
      'SELECT lines_read, stored, duplicates, quarantined FROM import_batches WHERE batch_id = {b:String}',
      { b: r.batchId },
    );
    expect(Object.values(batch).map(Number)).toEqual([40, 39, 0, 1]);
    expect((await collector.verify.verify()).ok).toBe(true);
  });

  it('a batch refused whole is set aside with its reason, blocks nothing, and is stored once replayed', async () => {
    await store.client.command({ query: "ALTER TABLE events ADD CONSTRAINT refuse CHECK user_id != 'K009999'" });
    const refused = Array.from({ length: 30 }, (_, i) => line(`2025/04/15 10:00:${String(i).padStart(2, '0')}`, 7000 + i, 'K009999'));
    const r = await files.importFile(write(refused));
    expect({ read: r.read, stored: r.stored, quarantined: r.quarantined, setAside: r.setAside }).toEqual({
      read: 30,
      stored: 0,
      quarantined: 0,
      setAside: 30,
    });
    expect(r.setAsideBatches).toEqual([
      { batchId: r.batchId, lines: 30, code: '469 VIOLATED_CONSTRAINT', reason: expect.stringContaining('violated') },
    ]);
    expect(await count('SELECT count() AS n FROM events WHERE batch_id = {b:String}', { b: r.batchId })).toBe(0);
    // Other batches go on; a restart neither fails nor retries it.
    const other = await files.importFile(write([day(200), day(201)]));
    expect(other.stored).toBe(2);
    ingest = await restart();
    files = collector.files;
    expect(
      (await collector.commits.setAsideBatches()).map((b) => ({ id: b.batchId, state: b.state, lines: b.lines, attempts: b.attempts })),
    ).toEqual([{ id: r.batchId, state: 'set_aside', lines: 30, attempts: 1 }]);
    expect(readdirSync(join(store.dataDir, 'kansa-ingest-staging', SET_ASIDE_DIR)).filter((f) => f.includes(r.batchId))).toHaveLength(4);
    // Verify does not take a set-aside batch for tampering.
    expect((await collector.verify.verify()).ok).toBe(true);

    // Still refused: stays set aside, the attempt counted.
    const still = await collector.commits.replay(r.batchId, 'yamada');
    expect({ kind: still.outcome.kind, state: still.batch.state, attempts: still.batch.attempts }).toEqual({
      kind: 'set-aside',
      state: 'set_aside',
      attempts: 2,
    });

    await store.client.command({ query: 'ALTER TABLE events DROP CONSTRAINT refuse' });
    // What an attempt held in memory and did not drop (a server keeps it when the process dies) is no obstacle.
    await store.client.command({ query: `CREATE TABLE ingest_staging_m_${r.batchId} ENGINE = Memory AS SELECT 1 AS x` });
    const replayed = await collector.commits.replay(r.batchId, 'yamada', '制約を削除したため再取込');
    expect(replayed.outcome).toMatchObject({ kind: 'stored', stored: 30 });
    expect({ state: replayed.batch.state, by: replayed.batch.updatedBy, note: replayed.batch.note }).toEqual({
      state: 'replayed',
      by: 'yamada',
      note: '制約を削除したため再取込',
    });
    expect(await count('SELECT count() AS n FROM events WHERE batch_id = {b:String}', { b: r.batchId })).toBe(30);
    expect(await count('SELECT count() AS n FROM import_batches WHERE batch_id = {b:String}', { b: r.batchId })).toBe(1);
    expect((await collector.verify.verify()).ok).toBe(true);
    await expect(collector.commits.replay(r.batchId, 'yamada')).rejects.toThrow(SetAsideRequestError);
    expect(await collector.commits.setAsideBatches()).toEqual([]);
  });

  it('an operator can discard a set-aside batch, with a reason; its staged rows go, the record stays', async () => {
    await store.client.command({ query: "ALTER TABLE events ADD CONSTRAINT refuse CHECK user_id != 'K008888'" });
    const r = await files.importFile(
      write(Array.from({ length: 20 }, (_, i) => line(`2025/04/16 10:00:${String(i).padStart(2, '0')}`, 8000 + i, 'K008888'))),
    );
    expect(r.setAside).toBe(20);
    await expect(collector.commits.discard(r.batchId, 'yamada', ' ')).rejects.toThrow(SetAsideRequestError);
    const discarded = await collector.commits.discard(r.batchId, 'yamada', 'テスト用の誤送信');
    expect({ state: discarded.state, by: discarded.updatedBy, note: discarded.note }).toEqual({
      state: 'discarded',
      by: 'yamada',
      note: 'テスト用の誤送信',
    });
    expect(readdirSync(join(store.dataDir, 'kansa-ingest-staging', SET_ASIDE_DIR)).filter((f) => f.includes(r.batchId))).toEqual([]);
    expect((await collector.commits.setAsideBatches(true)).find((b) => b.batchId === r.batchId)?.state).toBe('discarded');
  });

  it('a ledger row that lands although its insert reports a failure does not fork the chain: the next batch follows it', async () => {
    const first = await files.importFile(write([day(600)]));
    const real = BatchLedgerRepository.prototype.insert;
    // The row is written, then the connection drops before the answer: storage unavailable, the commit pending.
    const spy = jest.spyOn(BatchLedgerRepository.prototype, 'insert').mockImplementationOnce(async function (
      this: BatchLedgerRepository,
      b,
    ) {
      await real.call(this, b);
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' });
    });
    try {
      await expect(files.importFile(write([day(601)]))).rejects.toThrow(/ECONNREFUSED|unavailable/);
    } finally {
      spy.mockRestore();
    }
    // The next commit first completes the pending one (already recorded: only its intent goes), then follows it.
    const third = await files.importFile(write([day(602)]));
    const chain = await store.rows<{ batch_id: string; seq: string; prev_chain: string; chain_hash: string }>(
      "SELECT batch_id, seq, prev_chain, chain_hash FROM import_batches WHERE source = 'jumin' AND seq >= (SELECT seq FROM import_batches WHERE batch_id = {b:String}) ORDER BY seq",
      { b: first.batchId },
    );
    expect(chain.map((r) => r.batch_id)).toEqual([first.batchId, expect.any(String), third.batchId]);
    expect(chain[2].prev_chain).toBe(chain[1].chain_hash);
    expect(chain[1].prev_chain).toBe(chain[0].chain_hash);
    expect((await collector.verify.verify()).ok).toBe(true);
  });

  it('a commit a dead process left pending is completed at start-up, poison isolated; one refused whole is set aside, and start-up goes on', async () => {
    await store.client.command({ query: "ALTER TABLE events ADD CONSTRAINT refuse CHECK user_id NOT IN ('POISON', 'K007777')" });
    const stagingDir = join(store.dataDir, 'kansa-ingest-staging');
    const leave = async (batchId: string, lines: string[]) => {
      // What a process killed in the middle of a commit leaves: staged rows and a written intent.
      const checks = eventChecksSql(eventBounds(store.config.ingest, 11, Date.now()));
      const staging = new StagingBatch(store.client, batchId, stagingDir, {
        sql: ingest.system('jumin').sql!,
        source: 'jumin',
        instance: '',
        checks,
      });
      await staging.create();
      await staging.appendLines(lines.map((l, i) => `${i + 2}\t\t1\t${l}\n`).join(''));
      await staging.prepare();
      await staging.release();
      writeIntent(stagingDir, {
        batchId,
        source: 'jumin',
        instance: '',
        transport: 'file',
        origin: '/old/JUMIN_OPLOG.csv',
        fileSha256: '',
        linesRead: lines.length,
        staged: lines.length,
        quarantined: 0,
        startedAtMs: Date.now(),
        scope: { sources: ['jumin'], days: ['2025-04-17'] },
        stagingFormat: STAGING_FORMAT,
        checks,
      });
    };
    const poisoned = Array.from({ length: 10 }, (_, i) => line(`2025/04/17 10:00:${String(i).padStart(2, '0')}`, 9000 + i));
    poisoned[4] = line('2025/04/17 10:30:00', 9100, 'POISON');
    await leave('a0000000000000000000000000000001', poisoned);
    await leave(
      'a0000000000000000000000000000002',
      Array.from({ length: 6 }, (_, i) => line(`2025/04/17 11:00:0${i}`, 9200 + i, 'K007777')),
    );

    ingest = await restart();
    files = collector.files;
    expect(readdirSync(stagingDir).filter((n) => n.startsWith('commit-intent-'))).toEqual([]);
    const [b1] = await store.rows<Record<string, string>>(
      "SELECT stored, quarantined FROM import_batches WHERE batch_id = 'a0000000000000000000000000000001'",
    );
    expect(Object.values(b1).map(Number)).toEqual([9, 1]);
    expect((await collector.commits.setAsideBatches()).map((b) => b.batchId)).toEqual(['a0000000000000000000000000000002']);
    expect(existsSync(join(stagingDir, SET_ASIDE_DIR, 'ingest_staging_l_a0000000000000000000000000000002.tsv'))).toBe(true);
    // … and new imports go on.
    expect((await files.importFile(write([day(300)]))).stored).toBe(1);
  });
});

describe('an upgrade over a data directory with a commit left pending by the previous version', () => {
  let store: TestStore;

  beforeAll(async () => {
    store = await openTestStore();
  });
  afterAll(() => store.close());

  it('a batch staged in the older format (no origins) is completed at start-up, exactly', async () => {
    const stagingDir = join(store.dataDir, 'kansa-ingest-staging');
    mkdirSync(stagingDir, { recursive: true });
    const batchId = 'b0000000000000000000000000000001';
    const bounds = eventBounds(store.config.ingest, store.config.storage.retentionYears, Date.now());
    const system = new SourceSystems(store.config).get('jumin');
    const processor = new RecordProcessor(
      system,
      { batchId, source: 'jumin', instance: '', origin: '/old/JUMIN.csv', expectHeader: false, bounds },
      '',
    );
    // Rows as kansa wrote them before format 2: the same columns without the trailing origin.
    const legacy = [day(1), day(2)].map((text, i) => {
      const p = processor.process({ lineNo: i + 2, text });
      if (p.kind !== 'ok') throw new Error('expected an event');
      return rowText(p.value.row).replace(/\t[^\t]*\n$/, '\n');
    });
    const staging = new StagingBatch(store.client, batchId, stagingDir, undefined, 1);
    await staging.create();
    await staging.appendEvents(legacy.join(''));
    await staging.prepare();
    // An intent as the older version wrote it: no stagingFormat, no checks.
    writeIntent(stagingDir, {
      batchId,
      source: 'jumin',
      instance: '',
      transport: 'file',
      origin: '/old/JUMIN.csv',
      fileSha256: '',
      linesRead: 2,
      staged: 2,
      quarantined: 0,
      startedAtMs: Date.now(),
      scope: { sources: ['jumin'], days: ['2025-04-14'] },
    });
    const collector = await startCollector(store);
    const [b] = await store.rows<Record<string, string>>(
      'SELECT lines_read, stored, duplicates, quarantined FROM import_batches WHERE batch_id = {b:String}',
      { b: batchId },
    );
    expect(Object.values(b).map(Number)).toEqual([2, 2, 0, 0]);
    expect((await collector.verify.verify()).ok).toBe(true);
    expect(readdirSync(stagingDir).filter((n) => n !== SET_ASIDE_DIR)).toEqual([]);
    await collector.close();
  });

  it('a batch staged in format 3 (kept-apart lines without their day) is completed at start-up; its lines are stored as rows without a day', async () => {
    const stagingDir = join(store.dataDir, 'kansa-ingest-staging');
    mkdirSync(stagingDir, { recursive: true });
    const batchId = 'b0000000000000000000000000000003';
    const bounds = eventBounds(store.config.ingest, store.config.storage.retentionYears, Date.now());
    const processor = new RecordProcessor(
      new SourceSystems(store.config).get('windows'),
      { batchId, source: 'windows', instance: '', origin: '/old/WINDOWS.jsonl', expectHeader: false, bounds },
      '',
    );
    const text = JSON.stringify({
      EventID: 4624,
      TimeCreated: '2026-04-01T01:00:00Z',
      Computer: 'WS-OLD',
      EventRecordID: 7,
      TargetUserName: 'SYSTEM',
    });
    const p = processor.process({ lineNo: 1, text });
    if (p.kind !== 'apart') throw new Error('expected a record kept apart');
    // The row as kansa wrote it before format 4: the same columns without epoch_day (the 8th).
    const columns = rowText(p.row).split('\t');
    const legacy = [...columns.slice(0, 7), ...columns.slice(8)].join('\t');
    const staging = new StagingBatch(store.client, batchId, stagingDir, undefined, 3);
    await staging.create();
    await staging.appendApart(legacy);
    await staging.prepare();
    writeIntent(stagingDir, {
      batchId,
      source: 'windows',
      instance: '',
      transport: 'file',
      origin: '/old/WINDOWS.jsonl',
      fileSha256: '',
      linesRead: 1,
      staged: 0,
      quarantined: 0,
      apart: 1,
      startedAtMs: Date.now(),
      scope: { sources: [], days: [] },
      stagingFormat: 3,
    });
    const collector = await startCollector(store);
    expect(await store.rows('SELECT label, toString(day) AS day FROM events_apart WHERE batch_id = {b:String}', { b: batchId })).toEqual([
      { label: '非職員アカウント: SYSTEM', day: '1970-01-01' },
    ]);
    const [b] = await store.rows<Record<string, string>>(
      'SELECT lines_read, apart, duplicates FROM import_batches WHERE batch_id = {b:String}',
      {
        b: batchId,
      },
    );
    expect(Object.values(b).map(Number)).toEqual([1, 1, 0]);
    expect((await collector.verify.verify()).ok).toBe(true);
    await collector.close();
  });
});

describe('retention and verification over the years', () => {
  let store: TestStore;

  beforeAll(async () => {
    store = await openTestStore({ storage: { retentionYears: 11 } as never });
  });
  afterAll(() => store.close());

  it('events of a backfill removed by the retention TTL are reported as expired, never as tampering', async () => {
    const collector = await startCollector(store);
    const files = collector.files;
    const path = join(scratchDir('retention'), 'JUMIN_OPLOG_20160115.csv');
    writeFileSync(path, iconv.encode([HEADER, ...tenYears()].join('\r\n') + '\r\n', 'cp932'));
    const daily = join(scratchDir('retention'), 'JUMIN_OPLOG_20250414.csv');
    writeFileSync(daily, iconv.encode([HEADER, day(1), day(2)].join('\r\n') + '\r\n', 'cp932'));
    await files.importFile(path);
    await files.importFile(daily);
    // The site shortens retention to 7 years: the TTL removes what is older.
    await store.client.command({ query: 'ALTER TABLE events MODIFY TTL toDateTime(ts) + INTERVAL 7 YEAR' });
    await store.client.command({ query: 'OPTIMIZE TABLE events FINAL' });
    expect(Number((await store.rows<{ n: string }>('SELECT count() AS n FROM events'))[0].n)).toBeLessThan(122);
    const ledger = new BatchLedgerRepository(store.client);
    const seven = await new VerifyService(ledger, new IntegrityChecksRepository(store.client), {
      ...store.config,
      storage: { ...store.config.storage, retentionYears: 7 },
    }).verify();
    expect({ ok: seven.ok, expired: seven.expired, checked: seven.batchesChecked, broken: seven.broken }).toEqual({
      ok: true,
      expired: 1,
      checked: 1,
      broken: [],
    });
    // The same loss where retention does not explain it is tampering.
    const eleven = await collector.verify.verify();
    expect(eleven.ok).toBe(false);
    expect(eleven.broken[0].problem).toContain('内容ダイジェスト不一致');
    await collector.close();
  });
});

describe('values outside what a log can hold are quarantined, never clamped or dropped', () => {
  let store: TestStore;
  let files: FileImportService;
  let ingest: IngestService;
  let collector: CollectorKit;
  const dir = scratchDir('implausible');

  beforeAll(async () => {
    store = await openTestStore();
    collector = await startCollector(store);
    ingest = collector.ingest;
    files = collector.files;
  });
  afterAll(async () => {
    await collector.close();
    await store.close();
  });

  it('times before 2000, after tomorrow, beyond retention, and NUL in an ID each name the field', async () => {
    const jst = (ms: number) => new Date(ms + 9 * 3600_000).toISOString().replace('T', ' ').slice(0, 19).replace(/-/g, '/');
    const lines = [
      line('2400/01/01 10:00:00', 1),
      line('9999/12/31 23:59:59', 2),
      line('0001/01/01 00:00:00', 3),
      line('1999/12/31 23:59:59', 4),
      line(jst(Date.now() + 3 * 86_400_000), 5),
      line('2012/06/01 10:00:00', 6), // older than the 7-year retention
      line('2025/04/14 10:00:00', 7, 'K00\u00001198'),
      line('2025/04/14 10:00:01', 8), // a good one
    ];
    const path = join(dir, 'JUMIN_OPLOG_20250414.csv');
    writeFileSync(path, iconv.encode([HEADER, ...lines].join('\r\n') + '\r\n', 'cp932'));
    const r = await files.importFile(path);
    expect({ read: r.read, stored: r.stored, duplicates: r.duplicates, quarantined: r.quarantined }).toEqual({
      read: 8,
      stored: 1,
      duplicates: 0,
      quarantined: 7,
    });
    const q = await store.rows<{ line_no: string; field: string; reason: string }>(
      'SELECT line_no, field, reason FROM quarantine ORDER BY line_no',
    );
    expect(q.map((x) => [Number(x.line_no), x.field])).toEqual([
      [2, '処理日時'],
      [3, '処理日時'],
      [4, '処理日時'],
      [5, '処理日時'],
      [6, '処理日時'],
      [7, '処理日時'],
      [8, '職員ID'],
    ]);
    expect(q[0].reason).toBe('日時が想定範囲外です (取込時点より1日以上先)');
    expect(q[3].reason).toBe('日時が想定範囲外です (2000-01-01 より前)');
    expect(q[5].reason).toBe('保存期間 (7年) を過ぎた日時です');
    expect(q[6].reason).toBe('制御文字 (NUL など) を含みます');
    expect(await store.rows('SELECT ts FROM events')).toEqual([{ ts: '2025-04-14 10:00:01.000' }]);
  });

  it('JSON nested deeper than the limit is quarantined, not a crash', async () => {
    const deep = '['.repeat(5000) + '"x"' + ']'.repeat(5000);
    const ok = {
      time: '2025-04-14T08:42:26.590+09:00',
      operator: 'K001123',
      terminal: 'CHK-TERM-05',
      func: 'ログイン',
      serial: 'Q1',
      count: 0,
      result: '正常',
    };
    const r = await ingest.ingest({
      source: 'chukan',
      transport: 'http',
      origin: 'http:test',
      records: [
        { lineNo: 1, text: JSON.stringify({ ...ok, serial: 'Q2' }).replace(/}$/, `,"extra":${deep}}`) },
        { lineNo: 2, text: JSON.stringify(ok) },
      ],
    });
    expect({ stored: r.stored, quarantined: r.quarantined, reasons: r.reasons }).toEqual({
      stored: 1,
      quarantined: 1,
      reasons: { '(JSON): JSONの入れ子が深すぎます (上限 32 段)': 1 },
    });
  });
});
