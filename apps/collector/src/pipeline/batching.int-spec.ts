import { batchEventsSql } from '@kansa/storage';
import { openTestStore, TestStore } from '@kansa/test-kit';
import * as iconv from 'iconv-lite';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileImportService } from '../sources/file-import/file-import.service';
import { CollectorKit, startCollector } from '../testing/collector-test-kit';
import { IngestService } from './ingest.service';
import { RawRecord } from './ingest.types';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

const HEADER =
  '処理日時,職員ID,職員氏名,所属コード,所属名,端末ID,IPアドレス,画面ID,画面名,処理区分,宛名番号,個人番号表示,処理事由,対象件数,処理結果';
const line = (i: number) =>
  `2025/04/14 09:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')},K001198,職員,100700,納税課,WS-1,10.0.0.1,JR0101,照会,照会,${String(i).padStart(10, '0')},無,窓口,1,正常`;

describe('a long file is committed in batches of bounded size', () => {
  let store: TestStore;
  let ingest: IngestService;
  let files: FileImportService;
  let collector: CollectorKit;
  const dir = scratchDir('batching');
  const count = async (query: string, params: Record<string, unknown> = {}) =>
    Number((await (await store.client.query({ query, query_params: params, format: 'JSONEachRow' })).json<{ n: string }>())[0].n);

  beforeAll(async () => {
    store = await openTestStore();
    collector = await startCollector(store);
    ingest = collector.ingest;
    ingest.batchLines = 4;
    files = collector.files;
  });
  afterAll(async () => {
    await collector.close();
    await store.close();
  });

  it('records each batch in the chain; the counts per file add up over its batches', async () => {
    // 10 distinct lines, one repeated (in another batch), one bad: 12 lines after the header
    const lines = [HEADER, ...[0, 1, 2, 3, 4, 5].map(line), line(1), 'bad line', ...[6, 7, 8, 9].map(line)];
    const path = join(dir, 'JUMIN_OPLOG_20250414.csv');
    writeFileSync(path, iconv.encode(lines.join('\r\n') + '\r\n', 'cp932'));
    const r = await files.importFile(path);
    expect({ read: r.read, stored: r.stored, duplicates: r.duplicates, quarantined: r.quarantined }).toEqual({
      read: 12,
      stored: 10,
      duplicates: 1,
      quarantined: 1,
    });
    // header + 12 lines = 13 records in batches of 4 → 4 batches
    expect(r.batchIds).toHaveLength(4);
    const rs = await store.client.query({
      query: 'SELECT batch_id, seq, origin, lines_read, stored, duplicates, quarantined, file_sha256 FROM import_batches ORDER BY seq',
      format: 'JSONEachRow',
    });
    const rows = await rs.json<Record<string, string | number>>();
    expect(rows.map((b) => b.batch_id)).toEqual(r.batchIds);
    expect(rows.map((b) => Number(b.seq))).toEqual([1, 2, 3, 4]);
    expect(new Set(rows.map((b) => b.origin))).toEqual(new Set([path]));
    expect(rows.reduce((n, b) => n + Number(b.lines_read), 0)).toBe(12);
    expect(rows.reduce((n, b) => n + Number(b.duplicates), 0)).toBe(1);
    // the file's SHA-256 is known at its end: recorded on its last batch
    expect(rows.map((b) => b.file_sha256 !== '')).toEqual([false, false, false, true]);
    expect(await count('SELECT count() AS n FROM events')).toBe(10);
    expect((await collector.verify.verify()).ok).toBe(true);

    // Each batch's events carry one stamp of its own, by which its commit counted and digested them (through the
    // stamp's index: the engine refuses the query otherwise), never another batch's rows.
    const stamps = await (
      await store.client.query({
        query: 'SELECT batch_id, uniqExact(ingested_at) AS n, toUnixTimestamp64Milli(any(ingested_at)) AS ms FROM events GROUP BY batch_id',
        format: 'JSONEachRow',
      })
    ).json<{ batch_id: string; n: string; ms: string }>();
    expect(stamps.map((b) => Number(b.n))).toEqual([1, 1, 1, 1]);
    expect(new Set(stamps.map((b) => b.ms)).size).toBe(4);
    for (const b of stamps) {
      const own = await count(
        `SELECT count() AS n FROM events WHERE ${batchEventsSql(Number(b.ms))} SETTINGS force_data_skipping_indices = 'idx_ingested'`,
        { batch: b.batch_id },
      );
      expect(own).toBe(await count('SELECT count() AS n FROM events WHERE batch_id = {batch:String}', { batch: b.batch_id }));
    }

    const again = await files.importFile(path);
    expect({ stored: again.stored, duplicates: again.duplicates, quarantined: again.quarantined }).toEqual({
      stored: 0,
      duplicates: 11,
      quarantined: 1,
    });
  });

  it('a stream failing midway keeps its committed batches; sent again, only the rest is stored', async () => {
    const record = (i: number): RawRecord => ({ lineNo: i + 1, text: line(100 + i) });
    async function* failing(): AsyncIterable<RawRecord[]> {
      yield [0, 1, 2, 3, 4].map(record); // one batch of 4 committed, one line staged
      throw new Error('connection reset');
    }
    const request = { source: 'jumin', transport: 'http' as const, origin: 'http:test', records: [] };
    await expect(ingest.ingestChunks(request, failing())).rejects.toThrow('connection reset');
    expect(await count("SELECT count() AS n FROM events WHERE line_no >= 1 AND subject_id >= '0000000100'")).toBe(4);

    const all = [0, 1, 2, 3, 4, 5, 6].map(record);
    const retry = await ingest.ingest({ ...request, records: all });
    expect({ read: retry.read, stored: retry.stored, duplicates: retry.duplicates }).toEqual({ read: 7, stored: 3, duplicates: 4 });
    expect(await count("SELECT count() AS n FROM events WHERE subject_id >= '0000000100'")).toBe(7);
    expect((await collector.verify.verify()).ok).toBe(true);
  });
});
