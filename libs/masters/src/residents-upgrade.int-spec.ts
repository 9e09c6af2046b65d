import { migrate, TABLES } from '@kansa/storage';
import { openTestStore, TestStore } from '@kansa/test-kit';
import { MastersRepository } from './masters.repository';

/**
 * A data directory from before migration 140 (residents without 住所コード,
 * 異動区分, 異動日; no assignments master): the upgrade keeps every row as it
 * was, reads it as a resident (住登) without an address, and the masters
 * resolve as before, with assignments never loaded.
 */
describe('masters written before migration 140 (real ClickHouse)', () => {
  let store: TestStore;

  beforeAll(async () => {
    store = await openTestStore();
  });
  afterAll(async () => store?.close());

  it('keeps old residents rows and versions through the upgrade', async () => {
    await store.client.command({
      query: `ALTER TABLE ${TABLES.residents} DROP COLUMN address_code, DROP COLUMN movement, DROP COLUMN moved_on`,
    });
    await store.client.command({ query: `DROP TABLE ${TABLES.assignments}` });
    await store.client.command({ query: `DROP TABLE ${TABLES.accessExplanations}` });
    await store.client.command({ query: `DELETE FROM ${TABLES.migrations} WHERE version = 140` });
    await store.client.insert({
      table: TABLES.residents,
      format: 'JSONEachRow',
      values: [
        { version: 1, resident_id: '1000000001', integrated_id: '010000000000009', household_id: '2000000001' },
        { version: 1, resident_id: '1000000008', integrated_id: '', household_id: '2000000002' },
      ],
    });
    await store.client.insert({
      table: TABLES.masterVersions,
      format: 'JSONEachRow',
      values: [
        {
          master: 'residents',
          version: 1,
          effective_from: '2025-04-01 00:00:00.000',
          loaded_at: '2025-04-01 09:00:00.000',
          file_name: 'residents.csv',
          file_sha256: 'old',
          rows: 2,
        },
      ],
    });

    expect(await migrate(store.client)).toEqual(['140_explanations']);

    expect(await store.rows(`SELECT * FROM ${TABLES.residents} ORDER BY resident_id`)).toEqual([
      {
        version: 1,
        resident_id: '1000000001',
        integrated_id: '010000000000009',
        household_id: '2000000001',
        address_code: '',
        movement: '住登',
        moved_on: null,
      },
      {
        version: 1,
        resident_id: '1000000008',
        integrated_id: '',
        household_id: '2000000002',
        address_code: '',
        movement: '住登',
        moved_on: null,
      },
    ]);
    const versions = await new MastersRepository(store.client).versionsAt('2025-04-15');
    expect(versions.residents).toBe(1);
    expect(versions.assignments).toBe(0);
    expect(await store.rows(`SELECT count() AS n FROM ${TABLES.assignments}`)).toEqual([{ n: 0 }]);
  });
});
