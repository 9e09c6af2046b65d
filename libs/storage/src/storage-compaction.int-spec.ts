import { ClickHouseClient } from '@clickhouse/client';
import { loadConfig } from '@kansa/config';
import { CompactionMismatchError, migrate, StorageCompactionService, StorageTransferRepository, TABLES } from '@kansa/storage';
import { monthOfEvents, openDataDirAsOf } from '@kansa/test-kit';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Migration 170 (denser codecs for events) on a data directory written by
 * the version before it, and `kansa storage compact`, which rewrites the
 * months stored before it (docs/storage.md "Denser storage").
 */
describe('denser events: migration 170 and kansa storage compact', () => {
  const root = mkdtempSync(join(tmpdir(), 'kansa-compact-'));
  let client: ClickHouseClient;
  let compaction: StorageCompactionService;
  let fingerprints: StorageTransferRepository;

  const insert = (rows: ReturnType<typeof monthOfEvents>) => client.insert({ table: TABLES.events, values: rows, format: 'JSONEachRow' });
  /** event_id's bytes on disk per row in a month's active parts. */
  const idBytesPerRow = async (partition: string) => {
    const [r] = await (
      await client.query({
        query: `SELECT sum(column_data_compressed_bytes) / sum(rows) AS b FROM system.parts_columns
                WHERE database = currentDatabase() AND table = 'events' AND active AND column = 'event_id' AND partition_id = {p:String}`,
        query_params: { p: partition },
        format: 'JSONEachRow',
      })
    ).json<{ b: number }>();
    return Number(r.b);
  };

  beforeAll(async () => {
    // the data directory of the version before: migrations up to 160, months stored with its codecs
    client = await openDataDirAsOf(join(root, 'data'), 160);
    await insert(monthOfEvents('2025-05', 3000, 'old'));
    await insert(monthOfEvents('2025-06', 2000, 'old'));
    await insert(monthOfEvents('2025-07', 10, 'old'));
    const config = loadConfig({ env: {}, overrides: { storage: { dataDir: join(root, 'data'), url: '' } } });
    fingerprints = new StorageTransferRepository(client);
    compaction = new StorageCompactionService(client, fingerprints, config);
  });
  afterAll(async () => {
    await client.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('upgrades without rewriting anything: the stored months keep their codecs and are listed for compaction', async () => {
    const may = await idBytesPerRow('202505');
    expect(may).toBeGreaterThan(30); // 32 hex characters, LZ4
    expect(await migrate(client)).toContain('170_events_codecs');
    expect(await idBytesPerRow('202505')).toBe(may);
    const codecs = await (
      await client.query({
        query: `SELECT name, compression_codec FROM system.columns WHERE database = currentDatabase() AND table = 'events'
                AND name IN ('event_id', 'ts', 'line_no', 'subject_id') ORDER BY name`,
        format: 'JSONEachRow',
      })
    ).json<{ name: string; compression_codec: string }>();
    expect(codecs).toEqual([
      { name: 'event_id', compression_codec: 'CODEC(ZSTD(1))' },
      { name: 'line_no', compression_codec: 'CODEC(Delta(8), ZSTD(1))' },
      { name: 'subject_id', compression_codec: 'CODEC(ZSTD(1))' },
      { name: 'ts', compression_codec: 'CODEC(Delta(8), ZSTD(1))' },
    ]);
    // a month of ten rows is left as it is: its blocks' headers weigh more than any codec
    expect(await compaction.pending()).toEqual(['202505', '202506']);
  });

  it('stores what arrives after the upgrade densely: nothing there to compact', async () => {
    await insert(monthOfEvents('2025-08', 3000, 'new'));
    expect(await idBytesPerRow('202508')).toBeLessThan(18);
    expect(await compaction.pending()).toEqual(['202505', '202506']);
  });

  it('rewrites the older months with the same rows and digests, a month at a time, and then has nothing left to do', async () => {
    const scope = await fingerprints.fingerprintScope(7);
    const before = { may: await fingerprints.fingerprint('202505', scope), june: await fingerprints.fingerprint('202506', scope) };
    const progress: string[] = [];
    const months = await compaction.compact((p) => progress.push(`${p.index}/${p.total} ${p.partition} ${p.rows}`));
    expect(progress).toEqual(['1/2 202505 3000', '2/2 202506 2000']);
    expect(months.map((m) => m.bytesAfter < m.bytesBefore)).toEqual([true, true]);
    expect(await fingerprints.fingerprint('202505', scope)).toEqual(before.may);
    expect(await fingerprints.fingerprint('202506', scope)).toEqual(before.june);
    expect(await idBytesPerRow('202505')).toBeLessThan(18);
    expect(await compaction.pending()).toEqual([]);
    expect(await compaction.compact()).toEqual([]); // run again (after an interruption): the done months are left alone
  });

  it('stops at a month whose rows are not the same after the rewrite, naming it', async () => {
    // A second copy of a stored row — the same identity, time and user — written with the old codec (what only a
    // broken writer leaves): the engine's merge keeps one of them, and the rewrite says so instead of passing over it.
    await client.command({ query: `ALTER TABLE ${TABLES.events} MODIFY COLUMN event_id FixedString(32) CODEC(LZ4)` });
    const [row] = monthOfEvents('2025-09', 1, 'dup');
    await insert([...monthOfEvents('2025-09', 1999, 'old'), row]);
    await insert([row]);
    await client.command({ query: `ALTER TABLE ${TABLES.events} MODIFY COLUMN event_id FixedString(32) CODEC(ZSTD(1))` });
    expect(await compaction.pending()).toEqual(['202509']);
    const refusal = compaction.compact();
    await expect(refusal).rejects.toThrow(CompactionMismatchError);
    await expect(refusal).rejects.toThrow('202509: 2001 rows before the rewrite, 2000 after');
    await expect(compaction.compact()).resolves.toEqual([]);
  });
});
