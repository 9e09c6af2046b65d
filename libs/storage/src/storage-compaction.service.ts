import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { StorageTransferRepository } from './storage-transfer.repository';
import { CLICKHOUSE } from './storage.tokens';
import { TABLES } from './tables';

/** A month of events that `kansa storage compact` rewrote: its rows, and its bytes on disk before and after. */
export interface CompactedMonth {
  partition: string;
  rows: number;
  bytesBefore: number;
  bytesAfter: number;
}

export type CompactionProgress = CompactedMonth & { index: number; total: number };

/** A month's rows or their digests differed after the rewrite: named, so the operator runs `kansa verify`. */
export class CompactionMismatchError extends Error {}

/**
 * A part written before migration 170 stores event_id with LZ4 (32 bytes a
 * row; ZSTD stores about 16). Parts under a thousand rows are left out:
 * there the blocks' own headers weigh more than the codec. So are parts
 * under 10 MB, which the engine writes as one file (a compact part) and
 * whose columns' sizes it does not tell.
 */
const OLD_CODEC_BYTES_PER_ROW = 24;
const MIN_PART_ROWS = 1000;

/**
 * `kansa storage compact`: rewrites the months of events stored before the
 * denser codecs (migration 170) with them, a month at a time — the rows and
 * their digests checked to be the same after as before (the fingerprint an
 * export takes; `kansa verify`'s row digest). A month is rewritten by the
 * engine's own merge (`OPTIMIZE … FINAL`), which needs free disk for one
 * month's new copy until the old parts are removed. Months already dense are
 * left alone, so an interrupted run is simply run again
 * (docs/storage.md "Denser storage").
 */
@Injectable()
export class StorageCompactionService {
  private readonly retentionYears: number;

  constructor(
    @Inject(CLICKHOUSE) private readonly client: ClickHouseClient,
    private readonly fingerprints: StorageTransferRepository,
    @Inject(KANSA_CONFIG) config: KansaConfig,
  ) {
    this.retentionYears = config.storage.retentionYears;
  }

  /** Months (partition IDs, YYYYMM) holding a part written with the old codecs, oldest first. */
  async pending(): Promise<string[]> {
    const rows = await this.rows<{ partition: string }>(
      `SELECT DISTINCT partition_id AS partition FROM system.parts_columns
       WHERE database = currentDatabase() AND table = {table:String} AND active AND column = 'event_id'
         AND rows >= {minRows:UInt64} AND column_data_compressed_bytes > rows * {perRow:UInt64}
       ORDER BY partition`,
      { table: TABLES.events, minRows: MIN_PART_ROWS, perRow: OLD_CODEC_BYTES_PER_ROW },
    );
    return rows.map((r) => r.partition);
  }

  async compact(onProgress: (p: CompactionProgress) => void = () => undefined): Promise<CompactedMonth[]> {
    const months = await this.pending();
    const scope = await this.fingerprints.fingerprintScope(this.retentionYears);
    const done: CompactedMonth[] = [];
    for (const [i, partition] of months.entries()) {
      const before = await this.fingerprints.fingerprint(partition, scope);
      const bytesBefore = await this.bytesOnDisk(partition);
      await this.client.command({ query: `OPTIMIZE TABLE ${TABLES.events} PARTITION ID '${partitionId(partition)}' FINAL` });
      const after = await this.fingerprints.fingerprint(partition, scope);
      if (after.rows !== before.rows || after.digest !== before.digest)
        throw new CompactionMismatchError(
          `${partition}: ${before.rows} rows before the rewrite, ${after.rows} after, digests ${before.digest === after.digest ? 'equal' : 'differ'} ` +
            '(書き換え前後で行が一致しません) — run kansa verify',
        );
      const month = { partition, rows: after.rows, bytesBefore, bytesAfter: await this.bytesOnDisk(partition) };
      done.push(month);
      onProgress({ ...month, index: i + 1, total: months.length });
    }
    return done;
  }

  /** Bytes on disk of a month's active parts. */
  private async bytesOnDisk(partition: string): Promise<number> {
    const [r] = await this.rows<{ b: string }>(
      `SELECT sum(bytes_on_disk) AS b FROM system.parts
       WHERE database = currentDatabase() AND table = {table:String} AND active AND partition_id = {partition:String}`,
      { table: TABLES.events, partition },
    );
    return Number(r.b);
  }

  private async rows<T>(query: string, query_params: Record<string, unknown>): Promise<T[]> {
    return (await this.client.query({ query, query_params, format: 'JSONEachRow' })).json<T>();
  }
}

/** events' partition IDs are months (toYYYYMM): the only text put into the OPTIMIZE statement. */
function partitionId(partition: string): string {
  if (!/^\d{6}$/.test(partition)) throw new Error(`not a month partition: ${partition}`);
  return partition;
}
