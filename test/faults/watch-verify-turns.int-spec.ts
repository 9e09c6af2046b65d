import { AuditWatchService } from '@kansa/analyzer/casework/watch/audit-watch.service';
import { openAnalyzerApp } from '@kansa/analyzer/testing/analyzer-test-app';
import { CollectorKit, startCollector } from '@kansa/collector/testing/collector-test-kit';
import { VerifyService } from '@kansa/integrity';
import { TABLES } from '@kansa/storage';
import { openTestStore, TestStore } from '@kansa/test-kit';
import { JUMIN_HEADER } from '../kit/jumin-lines';
import * as iconv from 'iconv-lite';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

const DAYS = ['2025-04-14', '2025-04-15', '2025-04-16'];
const line = (day: string, i: number) =>
  `${day.replaceAll('-', '/')} 09:00:0${i},K00100${i},職員${i},100700,納税課,WS-1,10.0.0.1,JR0101,照会,照会,000001234${i},無,窓口,1,正常`;
const DAY_MS = 86_400_000;
const NIGHTS = 3;

/**
 * With verifyContentDays, the nightly watch recomputes recent batches only;
 * verifyOlderNights recomputes the older ones in turns, a part each night,
 * and walks the chain's older links in turns too, so that every batch's
 * content and record are checked once in that many nights without a whole
 * verification of seven years every night.
 */
describe('the nightly verification of older batches in turns (verifyOlderNights)', () => {
  let store: TestStore;
  let collector: CollectorKit;
  const seqOf = new Map<string, number>();

  beforeAll(async () => {
    store = await openTestStore();
    collector = await startCollector(store);
    const dir = scratchDir('watch-turns');
    for (const day of DAYS) {
      const path = join(dir, `JUMIN_OPLOG_${day.replaceAll('-', '')}.csv`);
      writeFileSync(path, iconv.encode([JUMIN_HEADER, line(day, 1), line(day, 2), line(day, 3)].join('\r\n') + '\r\n', 'cp932'));
      expect((await collector.files.importFile(path)).stored).toBe(3);
    }
    for (const r of await store.rows<{ first_day: string; seq: string }>(`SELECT first_day, seq FROM ${TABLES.importBatches}`))
      seqOf.set(r.first_day, Number(r.seq));
    // Behind kansa's back: the 04-14 batch's record is altered (found by walking its link), the 04-15 batch gains
    // an event a month after its days (found only by the pass for events off their days, in SQL), one of the
    // 04-16 batch's events is altered (found by its digest).
    await store.client.command({
      query: `ALTER TABLE ${TABLES.importBatches} UPDATE stored = 2 WHERE first_day = '2025-04-14'`,
      clickhouse_settings: { mutations_sync: '2' },
    });
    await store.client.command({
      query: `INSERT INTO ${TABLES.events} SELECT * REPLACE (ts + toIntervalDay(30) AS ts, day + 30 AS day, line_no + 100 AS line_no)
              FROM (SELECT * FROM ${TABLES.events} WHERE day = '2025-04-15' AND line_no = 2)`,
    });
    await store.client.command({
      query: `ALTER TABLE ${TABLES.events} UPDATE reason = '業務確認' WHERE day = '2025-04-16' AND line_no = 3`,
      clickhouse_settings: { mutations_sync: '2' },
    });
  });
  afterAll(async () => {
    await collector?.close();
    await store?.close();
  });

  /** One night's watch at `nowMs`: the last 7 days' batches and a part of the older ones. */
  const nightAt = async (nowMs: number) => {
    const watch = { ...store.config.casework.watch, verifyContentDays: 7, verifyOlderNights: NIGHTS };
    const app = await openAnalyzerApp(store, {
      now: new Date(nowMs).toISOString(),
      config: { casework: { ...store.config.casework, watch } },
    });
    try {
      app.get(VerifyService).pageSize = 1; // the chain's links in blocks of one record: block k is seq k + 1
      const verify = (await app.get(AuditWatchService).check()).verify;
      const [check] = await store.rows<{ older_part: number; older_parts: number; batches_checked: string }>(
        `SELECT older_part, older_parts, batches_checked FROM ${TABLES.integrityChecks} ORDER BY checked_at DESC LIMIT 1`,
      );
      return {
        problems: verify.problems,
        part: Number(check.older_part),
        parts: Number(check.older_parts),
        checked: Number(check.batches_checked),
      };
    } finally {
      await app.close();
    }
  };

  it('checks one part each night, finds each problem on the night of its part, and starts again after the last', async () => {
    // The content's parts by first event day (days since 1970-01-01 modulo 3), the links' by block (seq − 1 modulo 3).
    const contentPart = (day: string) => Math.round(Date.parse(day) / 86_400_000) % NIGHTS;
    expect(DAYS.map(contentPart)).toEqual([2, 0, 1]);
    expect(DAYS.map((d) => seqOf.get(d))).toEqual([1, 2, 3]);
    const start = Date.now() + 60 * DAY_MS;
    const nights = [];
    for (let n = 0; n <= NIGHTS; n++) nights.push(await nightAt(start + n * DAY_MS));
    expect(nights.map((x) => [x.part, x.parts, x.checked])).toEqual([
      [0, NIGHTS, 1],
      [1, NIGHTS, 1],
      [2, NIGHTS, 1],
      [0, NIGHTS, 1],
    ]);
    const altered = expect.stringContaining('連番1: 取込記録が改ざんされています');
    expect(nights.map((x) => x.problems)).toEqual([
      [altered], // link of seq 1; the content of 04-15 (seq 2) is broken too, but a chain names its first problem
      [expect.stringContaining('連番3: 保存されたログが変更・削除されています')], // content of 04-16
      [], // the link of seq 3 and the content of 04-14 hold
      [altered],
    ]);
  });

  it('a whole verification finds the first of them at once', async () => {
    const app = await openAnalyzerApp(store, {});
    try {
      const report = await app.get(VerifyService).verify();
      expect(report.broken).toEqual([
        expect.objectContaining({ seq: 1, problem: expect.stringContaining('取込記録が改ざんされています') }),
      ]);
    } finally {
      await app.close();
    }
  });
});
