import { insertEventRows, TABLES } from '@kansa/storage';
import { eventRow, openTestStore, TestStore } from '@kansa/test-kit';
import { DATA_STATE_SQL } from './analysis-ledger.repository';

const RANGE = { fromDay: '2025-06-01', toDay: '2025-06-30' };

/**
 * What the analysis ledger reads before every analysis — events per (source,
 * day) and their latest arrival — is answered by the events' day_state
 * projection (migration 180), and answers exactly as the rows do through what
 * happens to them: duplicates merged away, a failed commit's rows deleted,
 * parts stored before the projection existed. Real ClickHouse.
 */
describe("the events' day state (the analysis ledger's input)", () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore();
    await store.client.command({ query: `TRUNCATE TABLE ${TABLES.events}` });
  });
  afterAll(() => store?.close());

  const insert = (rows: Array<[id: string, source: string, ts: string, ingestedAt: string]>) =>
    insertEventRows(
      store.client,
      rows.map(([id, source, ts, ingestedAt]) =>
        // ingested_at is written by the engine (now64) unless given, as a test does to place arrivals in time
        ({ ...eventRow({ event_id: id.padEnd(32, '0'), ts, source, user_id: 'K000001' }), ingested_at: ingestedAt }),
      ),
    );
  /** The state as the rows give it (no projection), and as the ledger reads it (the projection, which must be used). */
  const states = async () => {
    const read = async (settings: string) =>
      (
        await (
          await store.client.query({
            query: `${DATA_STATE_SQL} ORDER BY source, day SETTINGS ${settings}`,
            query_params: RANGE,
            format: 'JSONEachRow',
          })
        ).json<Record<string, string>>()
      ).map((r) => `${r.source} ${r.day} ${r.n} ${r.mark}`);
    return { rows: await read('optimize_use_projections = 0'), ledger: await read('force_optimize_projection = 1') };
  };

  it('answers from the projection as the rows do: after duplicates are merged away, a delete, and for parts without it', async () => {
    await insert([
      ['a1', 'jumin', '2025-06-02 09:00:00.000', '2025-06-02 20:00:00.000'],
      ['a2', 'jumin', '2025-06-02 10:00:00.000', '2025-06-02 20:00:00.000'],
      ['a3', 'atena', '2025-06-02 11:00:00.000', '2025-06-02 20:00:00.000'],
    ]);
    // a second part: one line sent again (same identity, time and user), and a day late
    await insert([
      ['a1', 'jumin', '2025-06-02 09:00:00.000', '2025-06-03 08:00:00.000'],
      ['b1', 'jumin', '2025-06-03 09:00:00.000', '2025-06-03 08:00:00.000'],
    ]);
    let now = await states();
    expect(now.rows).toEqual([
      'atena 2025-06-02 1 2025-06-02 20:00:00.000',
      'jumin 2025-06-02 3 2025-06-03 08:00:00.000',
      'jumin 2025-06-03 1 2025-06-03 08:00:00.000',
    ]);
    expect(now.ledger).toEqual(now.rows);

    // The engine merges the duplicate away: one row of the two kept.
    await store.client.command({ query: `OPTIMIZE TABLE ${TABLES.events} FINAL` });
    now = await states();
    expect(now.rows.find((r) => r.startsWith('jumin 2025-06-02'))).toMatch(/^jumin 2025-06-02 2 /);
    expect(now.ledger).toEqual(now.rows);

    // A failed commit's rows removed (a lightweight DELETE, as the collector's rollback does).
    await store.client.command({
      query: `DELETE FROM ${TABLES.events} WHERE event_id = {id:FixedString(32)}`,
      query_params: { id: 'b1'.padEnd(32, '0') },
    });
    now = await states();
    expect(now.rows).toHaveLength(2);
    expect(now.ledger).toEqual(now.rows);

    // A part stored before the projection existed (an upgraded data directory) is read from its rows.
    await store.client.command({
      query: `ALTER TABLE ${TABLES.events} CLEAR PROJECTION day_state IN PARTITION 202506 SETTINGS mutations_sync = 1`,
    });
    await insert([['c1', 'jumin', '2025-06-04 09:00:00.000', '2025-06-05 08:00:00.000']]);
    const mixed = await (
      await store.client.query({ query: `${DATA_STATE_SQL} ORDER BY source, day`, query_params: RANGE, format: 'JSONEachRow' })
    ).json<Record<string, string>>();
    expect(mixed.map((r) => `${r.source} ${r.day} ${r.n} ${r.mark}`)).toEqual([...now.rows, 'jumin 2025-06-04 1 2025-06-05 08:00:00.000']);
  });
});
