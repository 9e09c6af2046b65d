import { AuditWatchService } from '@kansa/analyzer/casework/watch/audit-watch.service';
import { openAnalyzerApp } from '@kansa/analyzer/testing/analyzer-test-app';
import { CollectorKit, startCollector } from '@kansa/collector/testing/collector-test-kit';
import { TABLES } from '@kansa/storage';
import { openTestStore, TestStore } from '@kansa/test-kit';
import * as iconv from 'iconv-lite';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

const HEADER =
  '処理日時,職員ID,職員氏名,所属コード,所属名,端末ID,IPアドレス,画面ID,画面名,処理区分,宛名番号,個人番号表示,処理事由,対象件数,処理結果';
const line = (i: number) =>
  `2025/04/14 09:00:0${i},K00100${i},職員${i},100700,納税課,WS-1,10.0.0.1,JR0101,照会,照会,000001234${i},無,窓口,1,正常`;
const DAY_MS = 86_400_000;

/**
 * A designated city keeps years of events, and verifying every batch's
 * content every night takes over an hour: `casework.watch.verifyContentDays`
 * limits the nightly content check to the batches imported in the last days.
 * The chains are still walked whole, and what was recomputed is recorded
 * (the monthly report states it).
 */
describe('the nightly verification limited to recent batches (verifyContentDays)', () => {
  let store: TestStore;
  let collector: CollectorKit;

  beforeAll(async () => {
    store = await openTestStore();
    collector = await startCollector(store);
    const dir = scratchDir('watch-window');
    const path = join(dir, 'JUMIN_OPLOG_20250414.csv');
    writeFileSync(path, iconv.encode([HEADER, line(1), line(2), line(3)].join('\r\n') + '\r\n', 'cp932'));
    expect((await collector.files.importFile(path)).stored).toBe(3);
    // altered behind kansa's back after its import
    await store.client.command({
      query: `ALTER TABLE ${TABLES.events} UPDATE reason = '業務確認' WHERE line_no = 3`,
      clickhouse_settings: { mutations_sync: '2' },
    });
  });
  afterAll(async () => {
    await collector?.close();
    await store?.close();
  });

  /** The watch's verification at `nowMs`, with the nightly content check over `days` days (0: every batch). */
  const watchAt = async (nowMs: number, days: number) => {
    const watch = { ...store.config.casework.watch, verifyContentDays: days };
    const app = await openAnalyzerApp(store, {
      now: new Date(nowMs).toISOString(),
      config: { casework: { ...store.config.casework, watch } },
    });
    try {
      const verify = (await app.get(AuditWatchService).check()).verify;
      const [check] = await store.rows<{ content_from: string; batches_checked: string }>(
        `SELECT content_from, batches_checked FROM ${TABLES.integrityChecks} ORDER BY checked_at DESC LIMIT 1`,
      );
      return { ok: verify.ok, problems: verify.problems, contentFrom: check.content_from, batchesChecked: Number(check.batches_checked) };
    } finally {
      await app.close();
    }
  };

  it('finds the altered batch while it is among the last days, and records what it recomputed', async () => {
    const now = Date.now();
    const found = await watchAt(now, 7);
    expect(found).toMatchObject({ ok: false, batchesChecked: 1 });
    expect(found.problems).toEqual([expect.stringContaining('内容ダイジェスト不一致')]);
    expect(found.contentFrom).toBe(new Date(now + 9 * 3_600_000 - 6 * DAY_MS).toISOString().slice(0, 10));
  });

  it('a month later leaves that batch to a whole verification, which still finds it', async () => {
    const later = Date.now() + 30 * DAY_MS;
    expect(await watchAt(later, 7)).toMatchObject({ ok: true, problems: [], batchesChecked: 0 });
    expect(await watchAt(later, 0)).toMatchObject({ ok: false, contentFrom: '', batchesChecked: 1 });
  });
});
