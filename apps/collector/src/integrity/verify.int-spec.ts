import { TABLES } from '@kansa/storage';
import { openTestStore, TestStore } from '@kansa/test-kit';
import * as iconv from 'iconv-lite';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileImportResult, FileImportService } from '../sources/file-import/file-import.service';
import { CollectorKit, startCollector } from '../testing/collector-test-kit';
import { VerifyService } from '@kansa/integrity';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

const HEADER =
  '処理日時,職員ID,職員氏名,所属コード,所属名,端末ID,IPアドレス,画面ID,画面名,処理区分,宛名番号,個人番号表示,処理事由,対象件数,処理結果';
const line = (day: string, i: number) =>
  `2025/04/${day} 09:00:${String(i).padStart(2, '0')},K00${1000 + i},職員${i},100700,納税課,WS-1,10.0.0.1,JR0101,照会,照会,0000012345,無,窓口,1,正常`;

/** Three daily files of 住民記録 and one of 中間サーバー, imported in order. */
async function importDays(files: FileImportService): Promise<FileImportResult[]> {
  const dir = scratchDir('verify');
  const out: FileImportResult[] = [];
  for (const day of ['14', '15', '16']) {
    const path = join(dir, `JUMIN_OPLOG_202504${day}.csv`);
    writeFileSync(path, iconv.encode([HEADER, line(day, 1), line(day, 2), line(day, 3), 'bad line'].join('\r\n') + '\r\n', 'cp932'));
    out.push(await files.importFile(path));
  }
  const chukan = join(dir, 'CHUKAN_OPLOG_20250414.jsonl');
  writeFileSync(
    chukan,
    JSON.stringify({ time: '2025-04-14T09:00:00+09:00', operator: 'K1', func: 'ログイン', serial: 'Q1', count: 0, result: '正常' }) + '\n',
  );
  out.push(await files.importFile(chukan));
  return out;
}

const tamper = (store: TestStore, query: string, params: Record<string, unknown>) =>
  store.client.command({ query, query_params: params, clickhouse_settings: { mutations_sync: '2' } });

describe('kansa verify: the integrity chain', () => {
  let store: TestStore;
  let batches: FileImportResult[];
  let verify: VerifyService;
  let collector: CollectorKit;
  beforeEach(async () => {
    store = await openTestStore();
    collector = await startCollector(store);
    batches = await importDays(collector.files);
    verify = collector.verify;
  });
  afterEach(async () => {
    await collector.close();
    await store.close();
  });

  it('holds for untouched data, with a head per source', async () => {
    const report = await verify.verify();
    expect(report).toMatchObject({ ok: true, batchesChecked: 4, broken: [], unrecorded: [] });
    expect(report.sources.map((s) => [s.source, s.batches])).toEqual([
      ['chukan', 1],
      ['jumin', 3],
    ]);
  });

  it('records each verdict with its time and the heads it saw (what the monthly report states)', async () => {
    const before = Date.now();
    const good = await verify.verify();
    await tamper(store, "ALTER TABLE events UPDATE reason = '業務確認' WHERE batch_id = {b:String} AND line_no = 3", {
      b: batches[1].batchId,
    });
    await verify.verify({ from: '2000-01-01', to: '2099-12-31' });
    const rows = await store.rows<{
      at: number;
      ok: boolean;
      content_from: string;
      chains: Array<{ source: string; head: string }>;
      problem: string;
    }>(
      `SELECT toUnixTimestamp64Milli(checked_at) AS at, ok, content_from, chains, problem FROM ${TABLES.integrityChecks} ORDER BY checked_at`,
    );
    expect(rows).toHaveLength(2);
    expect(Number(rows[0].at)).toBeGreaterThanOrEqual(before - 1);
    expect(rows[0]).toMatchObject({ ok: true, content_from: '', problem: '' });
    expect(rows[0].chains.map((c) => [c.source, c.head])).toEqual(good.sources.map((c) => [c.source, c.head]));
    expect(rows[1]).toMatchObject({ ok: false, content_from: '2000-01-01' });
    expect(rows[1].problem).toContain('内容ダイジェスト不一致');
  });

  it('names the batch whose stored event was altered', async () => {
    await tamper(store, "ALTER TABLE events UPDATE reason = '業務確認' WHERE batch_id = {b:String} AND line_no = 3", {
      b: batches[1].batchId,
    });
    const report = await verify.verify();
    expect(report.ok).toBe(false);
    expect(report.broken).toEqual([
      expect.objectContaining({
        source: 'jumin',
        seq: 2,
        batchId: batches[1].batchId,
        origin: batches[1].file,
        problem: expect.stringContaining('内容ダイジェスト不一致'),
      }),
    ]);
  });

  it('finds the altered batch as well when it takes the batches a few at a time (a month of a large city)', async () => {
    await tamper(store, "ALTER TABLE events UPDATE reason = '業務確認' WHERE batch_id = {b:String} AND line_no = 3", {
      b: batches[1].batchId,
    });
    verify.chunkLimits = { rows: 4, days: 1, batchesAtOnce: 1, prefilterBatches: 100_000 };
    const report = await verify.verify();
    expect(report).toMatchObject({ ok: false, batchesChecked: 4 });
    expect(report.broken.map((b) => [b.source, b.seq, b.problem])).toEqual([
      ['jumin', 2, expect.stringContaining('内容ダイジェスト不一致')],
    ]);
  });

  it('notices an event added under a batch on a day that is not among its days', async () => {
    // a copy of the batch's first event, a month later: the batch is read on its own day, and then as a whole
    await tamper(
      store,
      `INSERT INTO events SELECT * REPLACE (ts + toIntervalDay(30) AS ts, day + 30 AS day, line_no + 100 AS line_no)
         FROM (SELECT * FROM events WHERE batch_id = {b:String} AND line_no = 2)`,
      { b: batches[0].batchId },
    );
    const report = await verify.verify();
    expect(report.broken.map((b) => [b.source, b.seq, b.problem])).toEqual([
      ['jumin', 1, expect.stringContaining('内容ダイジェスト不一致')],
    ]);
    // the same when the pass takes the events a month at a time (a site with millions of batches a month)
    verify.chunkLimits = { ...verify.chunkLimits, batchesAtOnce: 1 };
    expect((await verify.verify()).broken.map((b) => [b.source, b.seq])).toEqual([['jumin', 1]]);
  });

  it('names the batch whose quarantined line was deleted', async () => {
    await tamper(store, 'ALTER TABLE quarantine DELETE WHERE batch_id = {b:String}', { b: batches[2].batchId });
    const report = await verify.verify();
    expect(report.broken.map((b) => [b.source, b.seq])).toEqual([['jumin', 3]]);
  });

  it('notices a deleted batch record (the chain skips) and rows left without one', async () => {
    await tamper(store, 'ALTER TABLE import_batches DELETE WHERE batch_id = {b:String}', { b: batches[0].batchId });
    const report = await verify.verify();
    expect(report.broken[0]).toMatchObject({ source: 'jumin', seq: 2, problem: expect.stringContaining('連番1') });
    expect(report.unrecorded).toEqual(expect.arrayContaining([{ batchId: batches[0].batchId, table: 'events', rows: 3 }]));
    // a month at a time (a site with millions of batches a month): a batch's rows of two months are counted together
    await tamper(
      store,
      `INSERT INTO events SELECT * REPLACE (ts + toIntervalDay(30) AS ts, day + 30 AS day, line_no + 100 AS line_no)
         FROM (SELECT * FROM events WHERE batch_id = {b:String} AND line_no = 2)`,
      { b: batches[0].batchId },
    );
    verify.chunkLimits = { ...verify.chunkLimits, batchesAtOnce: 1 };
    expect((await verify.verify()).unrecorded).toEqual(expect.arrayContaining([{ batchId: batches[0].batchId, table: 'events', rows: 4 }]));
    // and without first leaving out the months' own batches (what many batches a month take)
    verify.chunkLimits = { ...verify.chunkLimits, prefilterBatches: 0 };
    expect((await verify.verify()).unrecorded).toEqual(expect.arrayContaining([{ batchId: batches[0].batchId, table: 'events', rows: 4 }]));
  });

  it('reads the chains a page at a time and still notices a record missing at the end of a page', async () => {
    await tamper(store, 'ALTER TABLE import_batches DELETE WHERE batch_id = {b:String}', { b: batches[1].batchId });
    verify.pageSize = 1;
    const report = await verify.verify();
    expect(report.broken).toEqual([expect.objectContaining({ source: 'jumin', seq: 3, problem: expect.stringContaining('連番2') })]);
    expect(report.sources.map((s) => [s.source, s.batches])).toEqual([
      ['chukan', 1],
      ['jumin', 2],
    ]);
  });

  it('in turns (the nightly watch), finds a record missing at the end of an old block on the night of the block after it', async () => {
    await tamper(store, 'ALTER TABLE import_batches DELETE WHERE batch_id = {b:String}', { b: batches[1].batchId });
    verify.pageSize = 1; // blocks of one record: block k is seq k + 1
    const night = async (part: number) => (await verify.verify({ from: '2099-01-01', older: { part, parts: 2 } })).broken;
    // part 0 walks seq 1 and 3: seq 3 starts from its predecessor, which is gone; part 1 walks seq 2, which is gone
    expect(await night(0)).toEqual([expect.objectContaining({ source: 'jumin', seq: 3, problem: expect.stringContaining('連番2') })]);
    expect(await night(1)).toEqual([]);
  });

  it('notices an altered batch record (its counts changed)', async () => {
    await tamper(store, 'ALTER TABLE import_batches UPDATE stored = 2 WHERE batch_id = {b:String}', { b: batches[3].batchId });
    const report = await verify.verify();
    expect(report.broken).toEqual([
      expect.objectContaining({ source: 'chukan', seq: 1, problem: expect.stringContaining('チェーンハッシュ不一致') }),
    ]);
  });

  it('the command exits 1 naming the first broken batch', async () => {
    await tamper(store, 'ALTER TABLE events DELETE WHERE batch_id = {b:String} AND line_no = 2', { b: batches[0].batchId });
    const dataDir = store.dataDir;
    // this process lets go of the directory (the collector's connections, the twin's checking one among them)
    await collector.close();
    await store.client.close();
    const bin = join(__dirname, '..', '..', '..', '..', 'bin', 'kansa.js');
    const run = spawnSync(process.execPath, [bin, '--data-dir', dataDir, 'verify'], { encoding: 'utf8', timeout: 60000 });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(`jumin seq 1 batch ${batches[0].batchId}`);
    // the system by its name, with the ID staff type as a flag
    expect(run.stdout).toContain(`  住民記録システム (jumin) 連番1 バッチ ${batches[0].batchId}`);
    expect(run.stdout).toContain('内容ダイジェスト不一致');
    store = await openTestStore(); // afterEach closes a store
  });
});
