import { eventRow, openTestStore, TestStore } from '@kansa/test-kit';
import {
  EVENT_INSERT_COLUMNS,
  EVENT_LINE_COLUMNS,
  insertEventRows,
  StorageTransferRepository,
  StorageTransferService,
  TABLES,
  TransferRefusedError,
} from '@kansa/storage';
import type { KansaConfig } from '@kansa/config';
import { join } from 'node:path';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

/**
 * What `kansa storage export` reads of each table, and the fingerprint of a
 * month of events an import is checked against (docs/storage.md).
 */
describe('StorageTransferRepository', () => {
  let store: TestStore;
  let repo: StorageTransferRepository;
  beforeAll(async () => {
    store = await openTestStore();
    repo = new StorageTransferRepository(store.client);
  });
  afterAll(() => store.close());

  const insert = (rows: ReturnType<typeof eventRow>[]) => insertEventRows(store.client, rows);

  it('moves every column of events as stored — the line as stored (raw_line, raw_residual), day and ingested_at included', async () => {
    const columns = await repo.columns(TABLES.events);
    const stored = [...EVENT_INSERT_COLUMNS.filter((c) => c !== 'raw'), ...EVENT_LINE_COLUMNS, 'day', 'ingested_at'];
    expect([...columns].sort()).toEqual(stored.sort());
  });

  it("moves every column of every kansa table but the events' line as read and as given (computed from the stored ones, input-only)", async () => {
    for (const table of await repo.tables()) {
      const all = await store.rows<{ name: string }>(
        `SELECT name FROM system.columns WHERE database = currentDatabase() AND table = {table:String} ORDER BY position`,
        { table },
      );
      const notStored = table === TABLES.events ? ['raw_input', 'raw_rebuilt', 'raw'] : [];
      expect({ table, columns: await repo.columns(table) }).toEqual({
        table,
        columns: all.map((c) => c.name).filter((c) => !notStored.includes(c)),
      });
    }
  });

  it('leaves out columns a table computes or only takes as input (they cannot be inserted)', async () => {
    await store.client.command({
      query: `CREATE TABLE transfer_probe (a UInt8, b UInt8 DEFAULT a + 1, c UInt8 MATERIALIZED a + 2, d UInt8 ALIAS a + 3, e UInt8 EPHEMERAL)
              ENGINE = MergeTree ORDER BY a`,
    });
    try {
      expect(await repo.columns('transfer_probe')).toEqual(['a', 'b']);
    } finally {
      await store.client.command({ query: 'DROP TABLE transfer_probe' });
    }
  });

  it("fingerprints a month's rows: count and digest sum, per month, covering the line, within the scope", async () => {
    await insert([
      eventRow({ event_id: 'a'.repeat(32), ts: '2025-05-01 10:00:00.000', source: 'jumin', raw: 'line a' }),
      eventRow({ event_id: 'b'.repeat(32), ts: '2025-05-02 10:00:00.000', source: 'jumin', raw: 'line b' }),
      eventRow({ event_id: 'c'.repeat(32), ts: '2025-06-01 10:00:00.000', source: 'jumin', raw: 'line c' }),
    ]);
    const scope = await repo.fingerprintScope(7);
    const may = await repo.fingerprint('202505', scope);
    expect(may.rows).toBe(2);
    expect((await repo.fingerprint('202506', scope)).rows).toBe(1);

    // the same rows give the same fingerprint; one character of one stored line changes it
    expect(await repo.fingerprint('202505', scope)).toEqual(may);
    await store.client.command({
      query: `ALTER TABLE ${TABLES.events} UPDATE raw_residual = 'line B' WHERE raw_residual = 'line b' SETTINGS mutations_sync = 2`,
    });
    const changed = await repo.fingerprint('202505', scope);
    expect(changed.rows).toBe(2);
    expect(changed.digest).not.toBe(may.digest);

    // rows inserted after the scope was taken, or older than its start, are not the export's
    await new Promise((r) => setTimeout(r, 5));
    await insert([eventRow({ event_id: 'd'.repeat(32), ts: '2025-05-03 10:00:00.000', source: 'jumin', raw: 'line d' })]);
    expect(await repo.fingerprint('202505', scope)).toEqual(changed);
    expect((await repo.fingerprint('202505', { ...scope, from: '2025-05-02 00:00:00.000' })).rows).toBe(1);
  });

  it('a resumed import never loads a month again over rows stored on the target since the export began', async () => {
    const dir = join(scratchDir('transfer'), 'export');
    const transfer = new StorageTransferService(repo, { storage: { retentionYears: 7 } } as KansaConfig);
    const manifest = await transfer.exportTo(dir);
    const may = manifest.events.partitions.find((p) => p.partition === '202505')!;
    expect(may.exported).toBeGreaterThan(1);
    // the target as an interrupted import left it (part of May), and a late line a collector stored there since
    await store.client.command({
      query: `DELETE FROM ${TABLES.events} WHERE _partition_id = '202505' AND event_id = {id:String}`,
      query_params: { id: 'a'.repeat(32) },
    });
    await insert([eventRow({ event_id: 'e'.repeat(32), ts: '2025-05-31 10:00:00.000', source: 'jumin', raw: 'late line' })]);
    await expect(transfer.importFrom(dir, { resume: true })).rejects.toThrow(TransferRefusedError);
    await expect(transfer.importFrom(dir, { resume: true })).rejects.toThrow('書き出し後に保存された行が 1 行');
    const [late] = await store.rows<{ n: string }>(`SELECT count() AS n FROM ${TABLES.events} WHERE raw = 'late line'`);
    expect(Number(late.n)).toBe(1);
  });
});
