import { openTestStore, TestStore } from '@kansa/test-kit';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CollectorKit, startCollector } from '../../testing/collector-test-kit';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

const HEADER = '受付日時,所属コード,業務コード,種別,宛名番号,統合宛名番号,受付番号';

/**
 * Business records go through the collector like any log: one pipeline, one
 * identity, quarantine, the integrity chain (docs/explanations.md).
 */
describe('業務記録 through the collector (real embedded ClickHouse)', () => {
  let store: TestStore;
  let collector: CollectorKit;
  const dir = scratchDir('records');
  const write = (name: string, lines: string[]) => {
    const path = join(dir, name);
    writeFileSync(path, '\uFEFF' + lines.join('\n') + '\n');
    return path;
  };

  beforeAll(async () => {
    store = await openTestStore();
    collector = await startCollector(store);
  });
  afterAll(async () => {
    await collector.close();
    await store.close();
  });

  it('stores a record once whether the file is re-sent or the record comes again as a canonical event, and quarantines bad lines by field', async () => {
    const path = write('BUSINESS_RECORDS_20250414.csv', [
      HEADER,
      '2025/04/14 09:12:00,100100,J01,届出受付,1000000001,010000000000009,R-000123',
      '2025/04/14 09:30:00,100500,S02,相談受付,,010000000000015,R-000123', // same 受付番号, other department: another record
      '2025/04/14 09:40:00,100100,J01,証明書交付申請,,,R-000124', // no resident
      '2025/04/14 09:50:00,1001,J01,届出受付,1000000008,,R-000125', // bad 所属コード
    ]);
    const first = await collector.files.importFile(path);
    expect(first).toMatchObject({
      source: 'records',
      read: 4,
      stored: 2,
      duplicates: 0,
      quarantined: 2,
      reasons: { '宛名番号: 宛名番号か統合宛名番号のどちらかが必要です': 1, '所属コード: 6桁の数字ではありません': 1 },
    });
    expect(await collector.files.importFile(path)).toMatchObject({ read: 4, stored: 0, duplicates: 2, quarantined: 2 });
    const viaHttp = await collector.ingest.ingest({
      source: 'canonical',
      transport: 'http',
      origin: 'http:test',
      records: [
        {
          lineNo: 1,
          text: JSON.stringify({
            ts: '2025-04-14T09:12:00+09:00',
            source: 'records',
            action: 'record',
            departmentCode: '100100',
            businessCode: 'J01',
            reason: '届出受付',
            subjectId: '1000000001',
            object: '010000000000009',
            sourceEventId: 'R-000123',
          }),
        },
      ],
    });
    expect(viaHttp).toMatchObject({ read: 1, stored: 0, duplicates: 1 });

    expect(
      await store.rows(
        `SELECT source, user_id, action, department_code, subject_id, object, reason, source_event_id FROM events ORDER BY department_code`,
      ),
    ).toEqual([
      {
        source: 'records',
        user_id: '',
        action: 'record',
        department_code: '100100',
        subject_id: '1000000001',
        object: '010000000000009',
        reason: '届出受付',
        source_event_id: '100100:R-000123',
      },
      {
        source: 'records',
        user_id: '',
        action: 'record',
        department_code: '100500',
        subject_id: '010000000000015',
        object: '',
        reason: '相談受付',
        source_event_id: '100500:R-000123',
      },
    ]);
    expect(
      await store.rows(`SELECT line_no, field, origin FROM quarantine WHERE source = 'records' ORDER BY received_at, line_no LIMIT 2`),
    ).toEqual([
      { line_no: 4, field: '宛名番号', origin: path },
      { line_no: 5, field: '所属コード', origin: path },
    ]);
    const report = await collector.verify.verify();
    expect(report.ok).toBe(true);
  });
});
