import { openTestStore, TestStore } from '@kansa/test-kit';
import { ContentScope, contentScopeSql } from './content-scope';

/** Which of these batch records (first event day, JST import time) the scope's condition keeps, by their first day. */
async function kept(store: TestStore, scope: ContentScope, records: Array<{ firstDay: string; imported: string }>): Promise<string[]> {
  const { condition, params } = contentScopeSql(scope);
  const rows = await store.rows<{ first_day: string }>(
    `SELECT first_day FROM (SELECT tupleElement(r, 1) AS first_day, toDateTime64(tupleElement(r, 2), 3, 'Asia/Tokyo') AS finished_at
                            FROM (SELECT arrayJoin(arrayZip({days:Array(String)}, {imported:Array(String)})) AS r))
     ${condition ? `WHERE ${condition}` : ''} ORDER BY first_day`,
    { ...params, days: records.map((r) => r.firstDay), imported: records.map((r) => r.imported) },
  );
  return rows.map((r) => r.first_day);
}

describe('which batches a verification recomputes (ContentScope, in SQL)', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore();
  });
  afterAll(async () => {
    await store?.close();
  });

  it('every batch without bounds; the batches imported on the recent days with them', async () => {
    const records = [
      { firstDay: '2019-01-01', imported: '2019-01-02 08:00:00' },
      { firstDay: '2026-11-24', imported: '2026-11-24 23:59:59' },
      { firstDay: '2026-11-24', imported: '2026-11-25 00:00:00' },
    ];
    expect(await kept(store, {}, records)).toHaveLength(3);
    expect(await kept(store, { from: '2026-11-25' }, records)).toEqual(['2026-11-24']);
  });

  it('in turns, every older batch falls in exactly one part, and a backfill imported on one day is spread evenly', async () => {
    const parts = 7;
    // ten years of history imported on one day, a batch per event day, and one recent batch
    const backfill = Array.from({ length: 3_650 }, (_, i) => ({
      firstDay: new Date(Date.UTC(2016, 0, 1) + i * 86_400_000).toISOString().slice(0, 10),
      imported: '2026-01-05 12:00:00',
    }));
    const records = [...backfill, { firstDay: '2026-11-26', imported: '2026-11-26 09:00:00' }];
    const seen = new Map<string, number>();
    const counts: number[] = [];
    for (let part = 0; part < parts; part++) {
      const days = await kept(store, { from: '2026-11-25', older: { part, parts } }, records);
      expect(days).toContain('2026-11-26'); // the recent batch, every night
      counts.push(days.length - 1);
      for (const d of days) seen.set(d, (seen.get(d) ?? 0) + 1);
    }
    expect(backfill.every((b) => seen.get(b.firstDay) === 1)).toBe(true);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    // a part is every seventh day of the history (days since 1970-01-01 modulo 7: 2016-01-01 is day 16,801 = 7 × 2,400 + 1)
    expect((await kept(store, { from: '2026-11-25', older: { part: 1, parts } }, records)).slice(0, 2)).toEqual([
      '2016-01-01',
      '2016-01-08',
    ]);
  });

  it('the part of a batch recorded without days is its import day', async () => {
    const records = [{ firstDay: '', imported: '1970-01-04 10:00:00' }];
    expect(await kept(store, { from: '2026-11-25', older: { part: 3, parts: 7 } }, records)).toEqual(['']);
    expect(await kept(store, { from: '2026-11-25', older: { part: 2, parts: 7 } }, records)).toEqual([]);
  });

  it('an older part without the recent days it is older than is a mistake in the caller', () => {
    expect(() => contentScopeSql({ older: { part: 0, parts: 3 } })).toThrow('needs the recent days');
  });
});
