import { myNumberCheckDigit, myNumberHmac } from '@kansa/domain/my-number';
import { openTestStore, TestStore } from '@kansa/test-kit';
import * as iconv from 'iconv-lite';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileImportService } from '../sources/file-import/file-import.service';
import { IngestService, UnknownSourceError } from './ingest.service';
import { HeaderMismatchError } from './record-processor';
import { StagingBatch } from '../sink/staging.writer';
import { CollectorKit, startCollector } from '../testing/collector-test-kit';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

const JUMIN_HEADER =
  '処理日時,職員ID,職員氏名,所属コード,所属名,端末ID,IPアドレス,画面ID,画面名,処理区分,宛名番号,個人番号表示,処理事由,対象件数,処理結果';
const jumin = (time: string, kubun = '照会', reason = '窓口', count = '1') =>
  `2025/04/14 ${time},K001198,髙﨑 翔,100700,納税課,WS-100700-006,10.7.0.15,JR0101,住民票照会,${kubun},0000012345,無,${reason},${count},正常`;
const withCheck = (d: string) => d + myNumberCheckDigit(d);

describe('IngestService on the real embedded ClickHouse', () => {
  let store: TestStore;
  let ingest: IngestService;
  let files: FileImportService;
  let collector: CollectorKit;
  const dir = scratchDir('ingest');
  const write = (name: string, lines: Array<string | Buffer>, encoding = 'cp932', eol = '\r\n') => {
    const path = join(dir, name);
    writeFileSync(
      path,
      Buffer.concat(lines.map((l) => Buffer.concat([typeof l === 'string' ? iconv.encode(l, encoding) : l, Buffer.from(eol)]))),
    );
    return path;
  };

  beforeAll(async () => {
    store = await openTestStore({ privacy: { hmacKey: 'test-key', hmacKeyFile: '' } });
    collector = await startCollector(store);
    ingest = collector.ingest;
    files = collector.files;
  });
  afterAll(async () => {
    await collector.close();
    await store.close();
  });

  it('imports the good lines, quarantines each bad one naming the field, and counts everything', async () => {
    const path = write('JUMIN_OPLOG_20250414.csv', [
      JUMIN_HEADER,
      jumin('08:00:01'),
      jumin('08:00:02'),
      jumin('08:00:01'), // the same line again in the same file
      '2026/09/31 10:00:00' + jumin('08:00:03').slice(19), // no such day
      jumin('08:00:04', '削除'), // unknown 処理区分
      jumin('08:00:05', '照会', '窓口', '十'), // non-numeric count
      jumin('08:00:06').split(',').slice(0, 10).join(','), // missing columns
      Buffer.concat([iconv.encode(jumin('08:00:07'), 'cp932'), Buffer.from([0x81, 0x20])]), // invalid CP932
      jumin('08:00:08'),
    ]);
    const r = await files.importFile(path);
    expect(r).toMatchObject({ read: 9, stored: 3, duplicates: 1, quarantined: 5, source: 'jumin' });
    expect(r.read).toBe(r.stored + r.duplicates + r.quarantined);
    expect(r.reasons).toEqual({
      '処理日時: 日時が不正です (YYYY/MM/DD HH:MM:SS)': 1,
      '処理区分: 未知の処理区分です': 1,
      '対象件数: 0以上の整数ではありません': 1,
      '(列数): 列数が15ではありません': 1,
      '(文字コード): CP932として読めないバイト列があります': 1,
    });
    const q = await store.rows<{ line_no: string; field: string; origin: string; raw_bytes_b64: string }>(
      'SELECT line_no, field, origin, raw_bytes_b64 FROM quarantine WHERE batch_id = {b:String} ORDER BY line_no',
      { b: r.batchId },
    );
    expect(q.map((x) => [Number(x.line_no), x.field])).toEqual([
      [5, '処理日時'],
      [6, '処理区分'],
      [7, '対象件数'],
      [8, '(列数)'],
      [9, '(文字コード)'],
    ]);
    expect(q[0].origin).toBe(path);
    expect(Buffer.from(q[4].raw_bytes_b64, 'base64').subarray(-2)).toEqual(Buffer.from([0x81, 0x20]));
    const events = await store.rows<{ ts: string; user_name: string; action: string; line_no: string }>(
      'SELECT ts, user_name, action, line_no FROM events WHERE batch_id = {b:String} ORDER BY line_no',
      { b: r.batchId },
    );
    expect(events).toEqual([
      { ts: '2025-04-14 08:00:01.000', user_name: '髙﨑 翔', action: 'view', line_no: 2 },
      { ts: '2025-04-14 08:00:02.000', user_name: '髙﨑 翔', action: 'view', line_no: 3 },
      { ts: '2025-04-14 08:00:08.000', user_name: '髙﨑 翔', action: 'view', line_no: 10 },
    ]);
  });

  it('a re-sent file changes nothing: every line is a duplicate', async () => {
    const lines = [JUMIN_HEADER, jumin('09:00:01'), jumin('09:00:02')];
    const first = await files.importFile(write('JUMIN_OPLOG_20250415.csv', lines));
    // re-sent with LF line ends: the same lines, so the same events
    const again = await files.importFile(write('JUMIN_OPLOG_20250415.csv', lines, 'cp932', '\n'));
    expect([first.stored, first.duplicates]).toEqual([2, 0]);
    expect([again.read, again.stored, again.duplicates]).toEqual([2, 0, 2]);
    const [n] = await store.rows<{ n: string }>(
      "SELECT count() AS n FROM events WHERE ts >= '2025-04-14 09:00:00' AND ts < '2025-04-14 09:01:00'",
    );
    expect(Number(n.n)).toBe(2);
  });

  it('any transport goes through the same pipeline: a 中間サーバー serial sent by file and again by Kafka is stored once', async () => {
    const op = {
      time: '2026-09-01T09:12:33.120+09:00',
      operator: 'K000123',
      terminal: 'CHK-TERM-03',
      func: '情報照会',
      procedure: 'JT0123',
      subject: '000012345678901',
      serial: 'Q20260901000123',
      count: 1,
      result: '正常',
    };
    const path = write('CHUKAN_OPLOG_20260901.jsonl', [JSON.stringify(op), '{"broken": '], 'utf8', '\n');
    const byFile = await files.importFile(path);
    expect(byFile).toMatchObject({ read: 2, stored: 1, quarantined: 1, reasons: { '(JSON): JSONとして読めません': 1 } });
    const byKafka = await ingest.ingest({
      source: 'chukan',
      transport: 'kafka',
      origin: 'kansa.chukan',
      records: (async function* () {
        yield { lineNo: 1, bytes: Buffer.from(JSON.stringify(op, null, 1).replace(/\n/g, '')), origin: 'kansa.chukan/0/17' };
        yield { lineNo: 2, text: JSON.stringify({ ...op, serial: 'Q20260901000124' }), origin: 'kansa.chukan/0/18' };
      })(),
    });
    expect(byKafka).toMatchObject({ read: 2, stored: 1, duplicates: 1, quarantined: 0 });
  });

  it('stores no 個人番号 in any table, and keeps only its keyed hash', async () => {
    const a = withCheck('12345678901');
    const b = withCheck('98765432109');
    const wide = b.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));
    const c = withCheck('55555555555');
    const d = withCheck('31415926535');
    await files.importFile(
      write('JUMIN_OPLOG_20250416.csv', [
        JUMIN_HEADER,
        jumin('10:00:01', '照会', `番号${a}で本人確認`),
        jumin('10:00:02', '照会', `番号${wide}`),
        jumin('10:00:03', '削除', `番号${c}`), // quarantined line
        Buffer.concat([iconv.encode(jumin('10:00:04', '照会', d), 'cp932'), Buffer.from([0xff])]), // undecodable line
      ]),
    );
    await ingest.ingest({
      source: 'canonical',
      transport: 'http',
      origin: 'http:test',
      records: [
        {
          lineNo: 1,
          text: JSON.stringify({ ts: '2025-04-16T10:00:05+09:00', source: 'atena', userId: 'K1', action: 'view', reason: `個人番号 ${a}` }),
        },
      ],
    });
    const tables = await store.rows<{ name: string }>('SELECT name FROM system.tables WHERE database = currentDatabase()');
    const hits: string[] = [];
    for (const { name } of tables) {
      for (const n of [a, b, wide, c, d]) {
        const [row] = await store.rows<{ n: string }>(
          `SELECT count() AS n FROM ${name} WHERE position(formatRowNoNewline('TabSeparated', *), {n:String}) > 0`,
          { n },
        );
        if (Number(row.n) > 0) hits.push(`${name}: ${n}`);
      }
    }
    const b64 = await store.rows<{ raw_bytes_b64: string }>("SELECT raw_bytes_b64 FROM quarantine WHERE raw_bytes_b64 != ''");
    for (const r of b64)
      for (const n of [a, b, c, d])
        if (Buffer.from(r.raw_bytes_b64, 'base64').includes(Buffer.from(n))) hits.push(`quarantine.raw_bytes_b64: ${n}`);
    expect(hits).toEqual([]);
    // the search itself finds what is stored (a control)
    const [control] = await store.rows<{ n: string }>(
      "SELECT count() AS n FROM quarantine WHERE position(formatRowNoNewline('TabSeparated', *), {n:String}) > 0",
      { n: '10:00:03' },
    );
    expect(Number(control.n)).toBe(1);
    const hmacs = await store.rows<{ h: string[] }>(
      'SELECT my_number_hmacs AS h FROM events WHERE length(my_number_hmacs) > 0 ORDER BY ts',
    );
    expect(hmacs.map((r) => r.h)).toEqual([[myNumberHmac('test-key', a)], [myNumberHmac('test-key', b)], [myNumberHmac('test-key', a)]]);
  });

  it('UTF-8 lines left undecoded to ClickHouse are stored exactly; invalid ones are quarantined with their bytes', async () => {
    const header = '照会日時,利用者ID,所属コード,端末名,業務コード,照会種別,統合宛名番号,該当件数,結果';
    const atena = (sec: string, terminal: string) =>
      `2025-04-18T10:00:${sec}.000+09:00,K001198,100700,${terminal},Z01,宛名照会,010000000053217,1,OK`;
    const odd = [atena('01', 'WS\\1'), atena('02', 'WS\t2'), atena('03', 'ＷＳ－３'), atena('04', 'WS\\\\4')];
    const path = write(
      'ATENA_INQUIRY_20250418.csv',
      [
        Buffer.from('\uFEFF' + header, 'utf8'),
        ...odd,
        Buffer.concat([Buffer.from(atena('05', 'WS-'), 'utf8'), Buffer.from([0xff, 0xfe])]), // invalid UTF-8
      ],
      'utf8',
      '\n',
    );
    const r = await files.importFile(path);
    expect(r).toMatchObject({ read: 5, stored: 4, duplicates: 0, quarantined: 1 });
    expect(r.reasons).toEqual({ '(文字コード): UTF-8として読めないバイト列があります': 1 });
    const rows = await store.rows<{ raw: string; terminal_id: string }>(
      'SELECT raw, terminal_id FROM events WHERE batch_id = {b:String} ORDER BY line_no',
      { b: r.batchId },
    );
    expect(rows.map((x) => x.raw)).toEqual(odd);
    expect(rows.map((x) => x.terminal_id)).toEqual(['WS\\1', 'WS\t2', 'ＷＳ－３', 'WS\\\\4']);
    const [q] = await store.rows<{ line_no: string; raw_bytes_b64: string }>(
      'SELECT line_no, raw_bytes_b64 FROM quarantine WHERE batch_id = {b:String}',
      { b: r.batchId },
    );
    expect(Number(q.line_no)).toBe(6);
    expect(Buffer.from(q.raw_bytes_b64, 'base64').subarray(-2)).toEqual(Buffer.from([0xff, 0xfe]));
  });

  it('refuses a file whose header is not the configured one, storing nothing', async () => {
    const path = write('TERMINAL_20250417.csv', ['日付,端末,ユーザー', '2025-04-17 08:00:00,WS-1,DOM\\K001']);
    await expect(files.importFile(path)).rejects.toThrow(HeaderMismatchError);
    const [n] = await store.rows<{ n: string }>("SELECT count() AS n FROM import_batches WHERE source = 'terminal'");
    expect(Number(n.n)).toBe(0);
    const staging = await store.rows("SELECT name FROM system.tables WHERE database = currentDatabase() AND name LIKE 'ingest_staging_%'");
    expect(staging).toEqual([]);
  });

  it('an interrupted batch leaves nothing behind: its staging files are removed when the data directory is opened again', async () => {
    const stale = join(store.dataDir, 'kansa-ingest-staging', 'ingest_staging_interrupted.tsv');
    writeFileSync(stale, 'half a batch');
    await (await startCollector(store)).close();
    expect(existsSync(stale)).toBe(false);
    expect(readdirSync(join(store.dataDir, 'kansa-ingest-staging'))).toEqual([]);
  });

  it('lines normalized in memory by a process that died are dropped when the data directory is opened again', async () => {
    const sql = ingest.system('jumin').sql!;
    const staging = new StagingBatch(store.client, 'b0000000000000000000000000000dead', join(store.dataDir, 'kansa-ingest-staging'), {
      sql,
      source: 'jumin',
      instance: '',
    });
    await staging.create();
    await staging.appendLines(`2\t\t1\t${jumin('11:00:00')}\n`);
    const checked = await staging.checkLines(); // holds the normalized lines in a Memory table, as a commit would
    expect(checked).toEqual({ days: ['2025-04-14'], refused: [] });
    const held = () => store.rows("SELECT name FROM system.tables WHERE database = currentDatabase() AND name LIKE 'ingest_staging_m_%'");
    expect(await held()).toHaveLength(1);
    await (await startCollector(store)).close();
    expect(await held()).toEqual([]);
  });

  it('what an earlier attempt held for a batch is dropped before its commit is completed again (a server keeps Memory tables)', async () => {
    const batchId = 'b000000000000000000000000000beef';
    const staging = new StagingBatch(store.client, batchId, join(store.dataDir, 'kansa-ingest-staging'), {
      sql: ingest.system('jumin').sql!,
      source: 'jumin',
      instance: '',
    });
    await staging.create();
    await staging.appendLines(`2\t\t1\t${jumin('11:30:00')}\n`);
    await staging.checkLines(); // the normalized lines held
    // as a commit of a large batch leaves them when storage fails in its middle, or its process dies
    for (const part of ['events', 'apart']) {
      await store.client.command({ query: `CREATE TABLE ingest_staging_m_${batchId}_${part} ENGINE = Memory AS SELECT 1 AS x` });
    }
    const held = () =>
      store.rows(`SELECT name FROM system.tables WHERE database = currentDatabase() AND name LIKE 'ingest_staging_m_${batchId}%'`);
    expect(await held()).toHaveLength(3);
    await new StagingBatch(store.client, batchId, join(store.dataDir, 'kansa-ingest-staging')).dropLeftovers(); // as the recovery does
    expect(await held()).toEqual([]);
    await staging.drop();
  });

  it('names an unknown source', async () => {
    await expect(ingest.ingest({ source: 'nosuch', transport: 'http', origin: 'http:x', records: [] })).rejects.toThrow(UnknownSourceError);
  });
});
