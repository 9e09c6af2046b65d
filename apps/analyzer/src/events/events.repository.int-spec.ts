import type { ClickHouseClient, QueryParams } from '@clickhouse/client';
import { insertEventRows, TABLES } from '@kansa/storage';
import { eventRow, openTestStore, TestStore, withSettings } from '@kansa/test-kit';
import { FindingFactsRepository } from '../casework/exceptions/exceptions.repository';
import { EventsRepository, subjectKeysQuery } from './events.repository';

const RESIDENT = '0000012345';
const INTEGRATED = '100000000012345';
const OTHERS = ['0000012346', '0000099999', ''];

/**
 * "Who touched this resident" (開示請求, investigations) over every month
 * kept, real ClickHouse: the accesses to either of the resident's numbers,
 * all of them and only them, found through the subject_day projection
 * (migration 190) — also in months stored before it.
 */
describe('the resident look-up (EventsRepository.accesses)', () => {
  let store: TestStore;
  const expected: string[] = [];

  beforeAll(async () => {
    store = await openTestStore();
    // April and May, three inserts (parts): the resident's accesses among the other residents' accesses of the
    // same users on the same days, and events without a resident (logins)
    const users = ['K000001', 'K000002', 'K000003'];
    let n = 0;
    for (const [month, days] of [
      ['2025-04', [1, 15, 30]],
      ['2025-05', [2, 20]],
      ['2025-05', [21, 31]],
    ] as const) {
      const rows = [];
      for (const d of days) {
        for (let i = 0; i < 60; i++) {
          const subject = i % 10 === 3 ? RESIDENT : i % 10 === 7 ? INTEGRATED : OTHERS[i % 3];
          const id = `e${String(n++).padStart(5, '0')}`.padEnd(32, '0');
          if (subject === RESIDENT || subject === INTEGRATED) expected.push(id);
          const ts = `${month}-${String(d).padStart(2, '0')} ${String(8 + (i % 10)).padStart(2, '0')}:${String(i).padStart(2, '0')}:00.000`;
          rows.push(
            eventRow({ event_id: id, ts, source: i % 2 ? 'jumin' : 'atena', user_id: users[i % 3], action: 'view', subject_id: subject }),
          );
        }
      }
      await insertEventRows(store.client, rows);
    }
    // a part of several granules (the engine reads a projection only where it reads fewer of them than the rows'):
    // 30,000 accesses of May, three of them to the resident
    const busy = Array.from({ length: 30_000 }, (_, i) =>
      eventRow({
        event_id: `n${String(i).padStart(6, '0')}`.padEnd(32, '0'),
        ts: `2025-05-${String(1 + (i % 28)).padStart(2, '0')} 09:00:00.000`,
        source: 'jumin',
        user_id: users[i % 3],
        action: 'view',
        subject_id: i % 10_000 === 5 ? RESIDENT : String(2_000_000_000 + i),
      }),
    );
    expected.push(...busy.filter((r) => r.subject_id === RESIDENT).map((r) => r.event_id));
    await insertEventRows(store.client, busy);
    // April as a version before migration 190 stored it: without the projection
    await store.client.command({
      query: `ALTER TABLE ${TABLES.events} CLEAR PROJECTION subject_day IN PARTITION 202504 SETTINGS mutations_sync = 1`,
    });
    // and April stored since, with the projection, in a part whose days the index cannot tell from May's (its
    // granule spans two sources), nor the projection's (its granule holds other residents)
    const april = Array.from({ length: 50 }, (_, i) =>
      eventRow({
        event_id: `a${String(i).padStart(6, '0')}`.padEnd(32, '0'),
        ts: '2025-04-10 10:00:00.000',
        source: i % 2 ? 'jumin' : 'atena',
        user_id: users[i % 3],
        action: 'view',
        subject_id: i === 25 ? RESIDENT : String(1_000_000_000 + i * 2),
      }),
    );
    expected.push(...april.filter((r) => r.subject_id === RESIDENT).map((r) => r.event_id));
    await insertEventRows(store.client, april);
  });
  afterAll(() => store?.close());

  const oldestFirst = async (ids: string[]) =>
    (
      await store.rows<{ event_id: string }>(
        `SELECT event_id FROM ${TABLES.events} WHERE event_id IN {ids:Array(String)} ORDER BY ts, event_id`,
        { ids },
      )
    ).map((r) => r.event_id);

  it('finds every access to either number, and only those, oldest first — in months stored with and without the projection', async () => {
    const found = await new EventsRepository(store.client).accesses({ subjectIds: [INTEGRATED, RESIDENT], limit: 100_000 });
    expect(found.total).toBe(expected.length);
    expect(found.events.map((e) => e.eventId)).toEqual(await oldestFirst(expected));
    expect(new Set(found.events.map((e) => e.subjectId))).toEqual(new Set([RESIDENT, INTEGRATED]));
    expect(found.events.map((e) => e.ts.slice(0, 7))).toContain('2025-04');
  });

  it('keeps to the days asked, and to the limit', async () => {
    const may = await new EventsRepository(store.client).accesses({
      subjectIds: [RESIDENT],
      fromDay: '2025-05-02',
      toDay: '2025-05-21',
      limit: 5,
    });
    const all = await new EventsRepository(store.client).accesses({ subjectIds: [RESIDENT], limit: 100_000 });
    const inMay = all.events.filter((e) => e.ts >= '2025-05-02' && e.ts < '2025-05-22');
    expect(may.total).toBe(inMay.length);
    expect(may.events.map((e) => e.eventId)).toEqual(inMay.slice(0, 5).map((e) => e.eventId));
  });

  it("opens only the months of the days asked, the keys still read from the projection (look-ups, a finding's evidence, an event's line)", async () => {
    // the client as the repository uses it, the engine refusing a query that opens more than one month's partition
    const asked: QueryParams[] = [];
    const oneMonthClient = {
      query: (p: QueryParams) => (
        asked.push(p),
        store.client.query({ ...p, query: withSettings(p.query, { max_partitions_to_read: '1' }) })
      ),
    } as unknown as ClickHouseClient;
    const oneMonth = new EventsRepository(oneMonthClient);
    const may = await oneMonth.accesses({ subjectIds: [RESIDENT], fromDay: '2025-05-02', toDay: '2025-05-21', limit: 100 });
    const all = await new EventsRepository(store.client).accesses({ subjectIds: [RESIDENT], limit: 100_000 });
    expect(may.events.map((e) => e.eventId)).toEqual(
      all.events.filter((e) => e.ts >= '2025-05-02' && e.ts < '2025-05-22').map((e) => e.eventId),
    );
    // its keys: read from the projection (a condition on ts would leave it out: it keeps no ts), of May's parts alone
    const keys = /IN \((SELECT source, day, user_id .* GROUP BY source, day, user_id)\)/s.exec(asked[0].query)![1];
    const params = asked[0].query_params as Record<string, unknown>;
    await expect(store.rows(keys, params, { force_optimize_projection_name: 'subject_day' })).resolves.toContainEqual({
      source: 'jumin',
      day: '2025-05-06',
      user_id: 'K000003',
    });
    const [estimate] = await store.rows<{ parts: number }>(`EXPLAIN ESTIMATE ${keys}`, params);
    const [inMay] = await store.rows<{ parts: number }>(
      `SELECT count() AS parts FROM system.parts WHERE active AND database = currentDatabase() AND table = {t:String} AND partition_id = '202505'`,
      { t: TABLES.events },
    );
    expect(Number(estimate.parts)).toBe(Number(inMay.parts));
    // the check can fail: without days the look-up opens April and May
    await expect(oneMonth.accesses({ subjectIds: [RESIDENT], limit: 100 })).rejects.toThrow(/partitions/i);

    const ids = may.events.map((e) => e.eventId);
    await expect(oneMonth.byIds(ids, '2025-05-01', '2025-05-31')).resolves.toHaveLength(ids.length);
    await expect(oneMonth.byIds(ids, '2025-04-01', '2025-05-31')).rejects.toThrow(/partitions/i);
    // the same for an event's line as received, and for the evidence's systems that an exception's scope looks at
    await expect(oneMonth.raw(ids[0], '2025-05-01', '2025-05-31')).resolves.toMatchObject({ source: 'jumin' });
    await expect(oneMonth.raw(ids[0], '2025-04-01', '2025-05-31')).rejects.toThrow(/partitions/i);
    const facts = new FindingFactsRepository(oneMonthClient);
    expect([...(await facts.eventScope(ids, '2025-05-01', '2025-05-31')).keys()].sort()).toEqual([...ids].sort());
    await expect(facts.eventScope(ids, '2025-04-01', '2025-05-31')).rejects.toThrow(/partitions/i);
    // the condition names partitions by month: it holds while the table is partitioned by the month of ts
    const [table] = await store.rows<{ partition_key: string }>(
      'SELECT partition_key FROM system.tables WHERE database = currentDatabase() AND name = {name:String}',
      { name: TABLES.events },
    );
    expect(table.partition_key).toBe('toYYYYMM(ts)');
  });

  it('reads the keys from the projection, not the bloom filter of every month', async () => {
    const keys = (projection: string) =>
      store.rows(
        subjectKeysQuery('WHERE subject_id IN {ids:Array(String)}'),
        { ids: [RESIDENT] },
        { force_optimize_projection_name: projection },
      );
    await expect(keys('subject_day')).resolves.toContainEqual({ source: 'jumin', day: '2025-05-06', user_id: 'K000003' });
    // the check can fail: no query uses a projection that does not exist
    await expect(keys('no_such_projection')).rejects.toThrow(/projection/i);
  });
});
