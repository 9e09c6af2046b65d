import { ClickHouseClient } from '@clickhouse/client';
import { loadConfig } from '@kansa/config';
import {
  CompactionMismatchError,
  insertEventRows,
  migrate,
  StorageCompactionService,
  StorageTransferRepository,
  TABLES,
} from '@kansa/storage';
import { insertEventsAsOf, monthApart, monthOfEvents, openDataDirAsOf } from '@kansa/test-kit';
import { join } from 'node:path';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

/**
 * Migrations 170 and 172 (denser codecs for events and the lines kept apart)
 * on a data directory written by the version before them, and `kansa storage
 * compact`, which rewrites the months stored before (docs/storage.md "Denser
 * storage").
 */
describe('denser events: migrations 170, 172 (and the projections, 180, 181, 190) and kansa storage compact', () => {
  const root = scratchDir('compact');
  let client: ClickHouseClient;
  let compaction: StorageCompactionService;
  let fingerprints: StorageTransferRepository;

  const insert = (rows: ReturnType<typeof monthOfEvents>) => insertEventRows(client, rows);
  const insertApart = (rows: ReturnType<typeof monthApart>) =>
    client.insert({ table: TABLES.eventsApart, values: rows, format: 'JSONEachRow' });
  const events = (partition: string) => ({ table: 'events', partition });
  const apart = (partition: string) => ({ table: 'events_apart', partition });
  /** The identity's bytes on disk per row in a month's active parts (event_id; apart_id of events_apart). */
  const idBytesPerRow = async (partition: string, table = 'events', columns = ['event_id', 'apart_id']) => {
    const [r] = await (
      await client.query({
        query: `SELECT sum(column_data_compressed_bytes) / sum(rows) AS b FROM system.parts_columns
                WHERE database = currentDatabase() AND table = {t:String} AND active AND column IN {c:Array(String)}
                  AND partition_id = {p:String}`,
        query_params: { p: partition, t: table, c: columns },
        format: 'JSONEachRow',
      })
    ).json<{ b: number }>();
    return Number(r.b);
  };

  beforeAll(async () => {
    // the data directory of the version before: migrations up to 160, months stored with its codecs
    client = await openDataDirAsOf(join(root, 'data'), 160);
    await insertEventsAsOf(client, monthOfEvents('2025-05', 3000, 'old'));
    await insertEventsAsOf(client, monthOfEvents('2025-06', 2000, 'old'));
    await insertEventsAsOf(client, monthOfEvents('2025-07', 10, 'old'));
    await insertApart(monthApart('2025-05', 2500, 'old'));
    const config = loadConfig({ env: {}, overrides: { storage: { dataDir: join(root, 'data'), url: '' } } });
    fingerprints = new StorageTransferRepository(client);
    compaction = new StorageCompactionService(client, fingerprints, config);
  });
  afterAll(async () => {
    await client.close();
  });

  it('upgrades without rewriting anything: the stored months keep their codecs and are listed for compaction', async () => {
    const may = await idBytesPerRow('202505');
    const mayApart = await idBytesPerRow('202505', 'events_apart');
    expect(may).toBeGreaterThan(30); // 32 hex characters, LZ4
    expect(mayApart).toBeGreaterThan(30);
    expect(await migrate(client)).toEqual(expect.arrayContaining(['170_events_codecs', '172_events_apart_codecs']));
    expect(await idBytesPerRow('202505')).toBe(may);
    expect(await idBytesPerRow('202505', 'events_apart')).toBe(mayApart);
    const codecs = await (
      await client.query({
        query: `SELECT name, compression_codec FROM system.columns WHERE database = currentDatabase() AND table = 'events'
                AND name IN ('event_id', 'ts', 'line_no', 'subject_id', 'ingested_at') ORDER BY name`,
        format: 'JSONEachRow',
      })
    ).json<{ name: string; compression_codec: string }>();
    expect(codecs).toEqual([
      { name: 'event_id', compression_codec: 'CODEC(ZSTD(1))' },
      { name: 'ingested_at', compression_codec: 'CODEC(ZSTD(1))' },
      { name: 'line_no', compression_codec: 'CODEC(Delta(8), ZSTD(1))' },
      { name: 'subject_id', compression_codec: 'CODEC(ZSTD(1))' },
      { name: 'ts', compression_codec: 'CODEC(Delta(8), ZSTD(1))' },
    ]);
    // migration 190: the table's default codec (ZSTD, for its projections) changes no column the rules read
    const unpinned = await (
      await client.query({
        query: `SELECT name FROM system.columns WHERE database = currentDatabase() AND table = 'events' AND compression_codec = ''
                AND default_kind NOT IN ('ALIAS', 'EPHEMERAL')`,
        format: 'JSONEachRow',
      })
    ).json();
    expect(unpinned).toEqual([]);
    const [user] = await (
      await client.query({
        query: `SELECT compression_codec FROM system.columns WHERE database = currentDatabase() AND table = 'events' AND name = 'user_id'`,
        format: 'JSONEachRow',
      })
    ).json<{ compression_codec: string }>();
    expect(user.compression_codec).toBe('CODEC(LZ4)');
    // a month of ten rows is left as it is: its blocks' headers weigh more than any codec
    expect(await compaction.pending()).toEqual([events('202505'), events('202506'), apart('202505')]);
  });

  it('stores what arrives after the upgrade densely: nothing there to compact', async () => {
    await insert(monthOfEvents('2025-08', 3000, 'new'));
    await insertApart(monthApart('2025-08', 2500, 'new'));
    expect(await idBytesPerRow('202508')).toBeLessThan(18);
    expect(await idBytesPerRow('202508', 'events_apart')).toBeLessThan(18);
    expect(await compaction.pending()).toEqual([events('202505'), events('202506'), apart('202505')]);
  });

  it('rewrites the older months with the same rows and digests, a month at a time, and then has nothing left to do', async () => {
    const scope = await fingerprints.fingerprintScope(7);
    const before = {
      may: await fingerprints.fingerprint('202505', scope),
      june: await fingerprints.fingerprint('202506', scope),
      mayApart: await fingerprints.apartFingerprint('202505', scope),
    };
    const lines = await (
      await client.query({ query: `SELECT * FROM ${TABLES.eventsApart} ORDER BY apart_id`, format: 'JSONEachRow' })
    ).json();
    const progress: string[] = [];
    const months = await compaction.compact((p) => progress.push(`${p.index}/${p.total} ${p.table} ${p.partition} ${p.rows}`));
    expect(progress).toEqual(['1/3 events 202505 3000', '2/3 events 202506 2000', '3/3 events_apart 202505 2500']);
    expect(months.map((m) => m.bytesAfter < m.bytesBefore)).toEqual([true, true, true]);
    expect(await fingerprints.fingerprint('202505', scope)).toEqual(before.may);
    expect(await fingerprints.fingerprint('202506', scope)).toEqual(before.june);
    expect(await fingerprints.apartFingerprint('202505', scope)).toEqual(before.mayApart);
    expect(before.mayApart.rows).toBe(2500);
    expect(
      await (await client.query({ query: `SELECT * FROM ${TABLES.eventsApart} ORDER BY apart_id`, format: 'JSONEachRow' })).json(),
    ).toEqual(lines); // every line kept apart, as it was
    expect(await idBytesPerRow('202505')).toBeLessThan(18);
    expect(await idBytesPerRow('202505', 'events_apart')).toBeLessThan(18);
    expect(await idBytesPerRow('202505', 'events', ['raw_line'])).toBeLessThan(1); // the lines held as residuals (migration 240)
    expect(await compaction.pending()).toEqual([]);
    expect(await compaction.compact()).toEqual([]); // run again (after an interruption): the done months are left alone
  });

  it('rewrites a month stored densely but before the projections (migrations 170 to 180), which then has them', async () => {
    const projected = async (partition: string) =>
      (
        await (
          await client.query({
            query: `SELECT DISTINCT arraySort(projections) AS p FROM system.parts
                    WHERE database = currentDatabase() AND table = 'events' AND active AND partition_id = {p:String}`,
            query_params: { p: partition },
            format: 'JSONEachRow',
          })
        ).json<{ p: string[] }>()
      ).map((r) => r.p);
    await insert(monthOfEvents('2025-10', 3000, 'dense'));
    expect(await projected('202510')).toEqual([['day_state', 'day_user', 'subject_day']]);
    expect(await compaction.pending()).toEqual([]);
    // as the version between them stored it: dense, without the projections
    await client.command({
      query: `ALTER TABLE ${TABLES.events} CLEAR PROJECTION day_user IN PARTITION 202510 SETTINGS mutations_sync = 1`,
    });
    await client.command({
      query: `ALTER TABLE ${TABLES.events} CLEAR PROJECTION day_state IN PARTITION 202510 SETTINGS mutations_sync = 1`,
    });
    await client.command({
      query: `ALTER TABLE ${TABLES.events} CLEAR PROJECTION subject_day IN PARTITION 202510 SETTINGS mutations_sync = 1`,
    });
    expect(await projected('202510')).toEqual([[]]);
    expect(await compaction.pending()).toEqual([events('202510')]);
    const scope = await fingerprints.fingerprintScope(7);
    const before = await fingerprints.fingerprint('202510', scope);
    expect((await compaction.compact()).map((m) => `${m.table} ${m.partition} ${m.rows}`)).toEqual(['events 202510 3000']);
    expect(await fingerprints.fingerprint('202510', scope)).toEqual(before);
    expect(await projected('202510')).toEqual([['day_state', 'day_user', 'subject_day']]);
    expect(await compaction.pending()).toEqual([]);
  });

  it('stores the whole lines of a month stored before migration 240 as residuals, every line read back the same', async () => {
    const rows = monthOfEvents('2025-11', 3000, 'lines').map((r) => ({
      ...r,
      raw: `${r.ts.slice(0, 19)},${r.user_id},${r.subject_id},照会`,
    }));
    await insert(rows);
    // as a version before migration 240 stored them: the whole line in the column then called raw
    await client.command({
      query: `ALTER TABLE ${TABLES.events} UPDATE raw_line = raw, raw_residual = '' IN PARTITION 202511 WHERE 1 SETTINGS mutations_sync = 2`,
    });
    expect(await idBytesPerRow('202511', 'events', ['raw_line'])).toBeGreaterThan(2);
    expect(await compaction.pending()).toEqual([events('202511')]);
    const scope = await fingerprints.fingerprintScope(7);
    const before = await fingerprints.fingerprint('202511', scope);

    expect((await compaction.compact()).map((m) => `${m.table} ${m.partition} ${m.rows}`)).toEqual(['events 202511 3000']);
    expect(await fingerprints.fingerprint('202511', scope)).toEqual(before);
    const [stored] = await (
      await client.query({
        query: `SELECT countIf(raw_line != '') AS whole, countIf(position(raw_residual, subject_id) > 0) AS named,
                       groupArray(raw) AS lines FROM (SELECT *, raw FROM ${TABLES.events} WHERE toYYYYMM(day) = 202511 ORDER BY line_no)`,
        format: 'JSONEachRow',
      })
    ).json<{ whole: number; named: number; lines: string[] }>();
    expect(stored).toEqual({ whole: 0, named: 0, lines: rows.map((r) => r.raw) });
    expect(await idBytesPerRow('202511', 'events', ['raw_line'])).toBeLessThan(1);
    expect(await compaction.pending()).toEqual([]);
  });

  it('stops at a month whose rows are not the same after the rewrite, naming it', async () => {
    // A second copy of a stored row — the same identity, time and user — written with the old codec (what only a
    // broken writer leaves): the engine's merge keeps one of them, and the rewrite says so instead of passing over it.
    await client.command({ query: `ALTER TABLE ${TABLES.events} MODIFY COLUMN event_id FixedString(32) CODEC(LZ4)` });
    const [row] = monthOfEvents('2025-09', 1, 'dup');
    await insert([...monthOfEvents('2025-09', 1999, 'old'), row]);
    await insert([row]);
    await client.command({ query: `ALTER TABLE ${TABLES.events} MODIFY COLUMN event_id FixedString(32) CODEC(ZSTD(1))` });
    expect(await compaction.pending()).toEqual([events('202509')]);
    const refusal = compaction.compact();
    await expect(refusal).rejects.toThrow(CompactionMismatchError);
    await expect(refusal).rejects.toThrow('events 202509: 2001 rows before the rewrite, 2000 after');
    await expect(compaction.compact()).resolves.toEqual([]);
  });
});
