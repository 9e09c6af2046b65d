import { ClickHouseClient } from '@clickhouse/client';
import { loadConfig } from '@kansa/config';
import { migrate, StorageCompactionService, StorageTransferRepository, TABLES } from '@kansa/storage';
import { openDataDirAsOf } from '@kansa/test-kit';
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { BatchLedgerRepository } from './batch-ledger.repository';
import { BatchRecord, chainHash, GENESIS } from './chain';
import { IntegrityChecksRepository } from './integrity-checks.repository';
import { VerifyService } from './verify.service';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

const RECORDS = 20_000;

/**
 * Migration 230: the ledger's hashes and counters compressed with ZSTD and
 * Delta. An HTTP site writes millions of batch records a month; stored as
 * before, the ledger would weigh as much as its events. Records written
 * before the upgrade keep their codec, and the chain runs on across the two.
 */
describe('a denser ledger of batches (migration 230)', () => {
  const root = scratchDir('ledger-codecs');
  let client: ClickHouseClient;
  let prev = GENESIS;
  let seq = 0;

  /** `n` more records of one HTTP chain, one second apart, written as one part; its bytes on disk per record. */
  const appendRecords = async (n: number): Promise<number> => {
    const base = Date.parse('2025-04-01T00:00:00Z');
    const records: BatchRecord[] = [];
    for (let i = 0; i < n; i++) {
      seq++;
      const b: Omit<BatchRecord, 'chainHash'> = {
        ...{ batchId: randomUUID(), seq, source: 'winlog', writer: '', instance: 'default', transport: 'http', origin: 'http://10.0.0.1' },
        ...{ fileSha256: '', linesRead: 50, stored: 50, duplicates: 0, quarantined: 0, apart: 0, prevChain: prev },
        ...{ contentDigest: createHash('sha256').update(String(seq)).digest('hex'), firstDay: '2025-04-01', lastDay: '2025-04-01' },
        ...{ startedAtMs: base + seq * 1000, finishedAtMs: base + seq * 1000 + 90 },
      };
      prev = chainHash(b);
      records.push({ ...b, chainHash: prev });
    }
    await new BatchLedgerRepository(client).insert(...records);
    const [part] = await (
      await client.query({
        query: `SELECT bytes_on_disk / rows AS b FROM system.parts WHERE database = currentDatabase() AND table = {t:String} AND active
                ORDER BY modification_time DESC, name DESC LIMIT 1`,
        query_params: { t: TABLES.importBatches },
        format: 'JSONEachRow',
      })
    ).json<{ b: number }>();
    return Number(part.b);
  };

  beforeAll(async () => {
    client = await openDataDirAsOf(join(root, 'data'), 220);
    // a city's ledger is written as wide parts (a file per column); the test's small one is made to be too
    await client.command({ query: `ALTER TABLE ${TABLES.importBatches} MODIFY SETTING min_bytes_for_wide_part = 0` });
  });
  afterAll(async () => {
    await client.close();
  });

  it('stores a record in about half the bytes after the upgrade, and the chain verifies across it', async () => {
    const before = await appendRecords(RECORDS);
    expect(await migrate(client)).toContain('230_import_batches_codecs');
    const after = await appendRecords(RECORDS);
    expect(before).toBeGreaterThan(200); // three SHA-256 in hex, a UUID: LZ4 cannot shrink hex text
    expect(after).toBeLessThan(before * 0.6);
    const config = loadConfig({ env: {}, overrides: { storage: { dataDir: join(root, 'data'), url: '' } } });
    const verify = new VerifyService(new BatchLedgerRepository(client), new IntegrityChecksRepository(client), config);
    const report = await verify.verify({ from: '2099-01-01' }); // the chain; no content (these records have no rows)
    expect(report).toMatchObject({ ok: true, sources: [{ source: 'winlog', writer: '', batches: 2 * RECORDS, head: prev }] });
  });

  it('kansa storage compact rewrites the records stored before, unchanged, and the chain still verifies', async () => {
    const config = loadConfig({ env: {}, overrides: { storage: { dataDir: join(root, 'data'), url: '' } } });
    const compaction = new StorageCompactionService(client, new StorageTransferRepository(client), config);
    expect(await compaction.pending()).toContainEqual({ table: TABLES.importBatches, partition: 'all' });
    const [ledger] = (await compaction.compact()).filter((m) => m.table === TABLES.importBatches);
    expect(ledger).toMatchObject({ partition: 'all', rows: 2 * RECORDS });
    expect(ledger.bytesAfter / (2 * RECORDS)).toBeLessThan(130); // every record as dense as the new ones (119 bytes)
    expect(await compaction.pending()).toEqual([]);
    const verify = new VerifyService(new BatchLedgerRepository(client), new IntegrityChecksRepository(client), config);
    expect(await verify.verify({ from: '2099-01-01' })).toMatchObject({ ok: true, sources: [{ batches: 2 * RECORDS, head: prev }] });
  });
});
