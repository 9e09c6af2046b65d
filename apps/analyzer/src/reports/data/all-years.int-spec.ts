import type { ClickHouseClient, ClickHouseSettings, QueryParams } from '@clickhouse/client';
import { insertEventRows } from '@kansa/storage';
import { eventRow, openTestStore, TestStore, withSettings } from '@kansa/test-kit';
import { AnalysisLedgerRepository } from '../../ledger/analysis-ledger.repository';
import { ReportDataRepository } from './report-data.repository';

/**
 * The questions asked of every year kept — each system's first day with
 * events (the monthly report's coverage), the first day of all (where the
 * analysis catches up from) — are answered from what the engine keeps beside
 * the rows (an aggregate projection, each part's own figures), not by reading
 * a column of every row: seven years of a designated city are billions of
 * rows (docs/analyzer.md "Events by ID over years kept", the questions over all the years).
 */
describe('questions over all the years kept, without reading the rows', () => {
  let store: TestStore;
  /** The client as the repositories use it, with engine settings that refuse a query reading otherwise. */
  const refusing = (settings: ClickHouseSettings) =>
    ({
      query: (p: QueryParams) => store.client.query({ ...p, query: withSettings(p.query, settings) }),
    }) as unknown as ClickHouseClient;

  beforeAll(async () => {
    store = await openTestStore();
    // two systems whose logs begin on different days; a part of several granules (a projection is read only
    // where it is fewer granules than the rows)
    const rows = Array.from({ length: 30_000 }, (_, i) =>
      eventRow({
        event_id: `y${String(i).padStart(6, '0')}`.padEnd(32, '0'),
        ts: i % 2 ? `2024-02-${String(3 + (i % 20)).padStart(2, '0')} 09:00:00.000` : `2025-03-${String(1 + (i % 28)).padStart(2, '0')} 09:00:00.000`,
        source: i % 2 ? 'jumin' : 'atena',
        user_id: `K${String(i % 50).padStart(6, '0')}`,
        action: 'view',
        subject_id: String(1_000_000_000 + i),
      }),
    );
    await insertEventRows(store.client, rows);
  });
  afterAll(() => store?.close());

  it("each system's first day: from the day_state projection", async () => {
    const data = new ReportDataRepository(refusing({ force_optimize_projection_name: 'day_state' }));
    expect((await data.firstDays()).sort((a, b) => a.source.localeCompare(b.source))).toEqual([
      { source: 'atena', d: '2025-03-01' },
      { source: 'jumin', d: '2024-02-04' },
    ]);
    // the check can fail: a query no projection answers is refused
    await expect(
      store.rows('SELECT source, min(day) FROM events GROUP BY source', {}, { force_optimize_projection_name: 'day_state' }),
    ).rejects.toThrow(/projection/i);
  });

  it('the first day of all: from the parts’ own figures, no row read', async () => {
    const ledger = new AnalysisLedgerRepository(refusing({ max_rows_to_read: '1' }));
    expect(await ledger.firstEventDay()).toBe('2024-02-04');
    // the check can fail: the day's minimum read from the rows is refused
    await expect(store.rows('SELECT count(), min(day) FROM events', {}, { max_rows_to_read: '1' })).rejects.toThrow(/rows/i);
  });
});
