import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { FingerprintScope, PartitionFingerprint, StorageTransferRepository } from './storage-transfer.repository';
import { lineResidualAssignments } from './event-line-residual';
import { CLICKHOUSE } from './storage.tokens';
import { TABLES } from './tables';

/** A month of a table that `kansa storage compact` rewrote: its rows, and its bytes on disk before and after. */
export interface CompactedMonth {
  table: string;
  partition: string;
  rows: number;
  bytesBefore: number;
  bytesAfter: number;
}

/** A month of a table written with the codecs before the denser ones, or without the table's projections. */
export interface PendingMonth {
  table: string;
  partition: string;
}

export type CompactionProgress = CompactedMonth & { index: number; total: number };

/** A month's rows or their digests differed after the rewrite: named, so the operator runs `kansa verify`. */
export class CompactionMismatchError extends Error {}

/**
 * A part written before the denser codecs stores a table's identity (32 hex
 * characters) with LZ4, 32 bytes a row; ZSTD stores about 16. Parts under a
 * thousand rows are left out: there the blocks' own headers weigh more than
 * the codec. So are parts under 10 MB, which the engine writes as one file (a
 * compact part) and whose columns' sizes it does not tell.
 */
const OLD_CODEC_BYTES_PER_ROW = 24;
const MIN_PART_ROWS = 1000;
/**
 * A part of events stored before migration 240 keeps each line whole in
 * raw_line: 3 to 15 bytes a row compressed. Since then raw_line is empty but
 * for a line that cannot be held as a residual (one with a marker byte of its
 * own: none in the sample logs), well under a byte a row.
 */
const WHOLE_LINE_BYTES_PER_ROW = 2;

/**
 * A table `kansa storage compact` rewrites: its identity column (what tells an old part), its projections, its fingerprint,
 * and for events the column that holds a line whole (migration 240: rewritten as a residual).
 */
interface CompactedTable {
  table: string;
  identity: string;
  wholeLines?: string;
  /** Projections a part stored before them lacks (the engine's merge builds them). */
  projections: readonly string[];
  fingerprint(repo: StorageTransferRepository, partition: string, scope: FingerprintScope): Promise<PartitionFingerprint>;
}

/**
 * The tables `kansa storage compact` rewrites, in this order:
 *  - events (migration 170; its aggregate projections, 180, 181 and 190; its
 *    lines as residuals, 240): the rows' count and the sum of their row
 *    digests, the ones `kansa verify` recomputes;
 *  - events_apart (172): the count and the sum of a hash of every stored column;
 *  - import_batches (230; one partition, `all`: not partitioned): the same,
 *    of the records written before the run began.
 * access_explanations (171) has no identity column to tell its old parts by;
 * its days are written anew whenever they are classified again.
 */
const COMPACTED: readonly CompactedTable[] = [
  {
    table: TABLES.events,
    identity: 'event_id',
    wholeLines: 'raw_line',
    projections: ['day_state', 'day_user', 'subject_day'],
    fingerprint: (repo, partition, scope) => repo.fingerprint(partition, scope),
  },
  {
    table: TABLES.eventsApart,
    identity: 'apart_id',
    projections: [],
    fingerprint: (repo, partition, scope) => repo.apartFingerprint(partition, scope),
  },
  {
    table: TABLES.importBatches,
    identity: 'batch_id',
    projections: [],
    fingerprint: (repo, _partition, scope) => repo.ledgerFingerprint(scope),
  },
];

/**
 * `kansa storage compact`: rewrites the months stored before the denser
 * codecs (migrations 170, 172) with them, the months of events stored
 * before its aggregate projections (180, 181, 190) with those (which the rules'
 * look-backs and the resident look-up read), and the whole lines of events
 * stored before migration 240 as residuals, a month of a table at a time — the
 * rows checked to be the same after as before (for events, the fingerprint
 * an export takes: `kansa verify`'s row digests). A month is rewritten by
 * the engine's own merge (`OPTIMIZE … FINAL`), which needs free disk for one
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

  /**
   * Months (partition IDs, YYYYMM) holding a part written with the old codecs, or without the table's projections:
   * events', then events_apart's, oldest first.
   */
  async pending(): Promise<PendingMonth[]> {
    const pending: PendingMonth[] = [];
    for (const { table, identity, projections, wholeLines = '' } of COMPACTED) {
      const rows = await this.rows<{ partition: string }>(
        `SELECT DISTINCT partition FROM (
           SELECT partition_id AS partition FROM system.parts_columns
           WHERE database = currentDatabase() AND table = {table:String} AND active AND column = {identity:String}
             AND rows >= {minRows:UInt64} AND column_data_compressed_bytes > rows * {perRow:UInt64}
           UNION ALL
           SELECT partition_id FROM system.parts_columns
           WHERE database = currentDatabase() AND table = {table:String} AND active AND column = {wholeLines:String}
             AND rows >= {minRows:UInt64} AND column_data_compressed_bytes > rows * {lineBytes:UInt64}
           UNION ALL
           SELECT partition_id FROM system.parts
           WHERE database = currentDatabase() AND table = {table:String} AND active AND rows >= {minRows:UInt64}
             AND NOT hasAll(projections, {projections:Array(String)})
         )
         ORDER BY partition`,
        {
          table,
          identity,
          projections,
          wholeLines,
          minRows: MIN_PART_ROWS,
          perRow: OLD_CODEC_BYTES_PER_ROW,
          lineBytes: WHOLE_LINE_BYTES_PER_ROW,
        },
      );
      pending.push(...rows.map((r) => ({ table, partition: r.partition })));
    }
    return pending;
  }

  async compact(onProgress: (p: CompactionProgress) => void = () => undefined): Promise<CompactedMonth[]> {
    const months = await this.pending();
    const scope = await this.fingerprints.fingerprintScope(this.retentionYears);
    const done: CompactedMonth[] = [];
    for (const [i, { table, partition }] of months.entries()) {
      const compacted = COMPACTED.find((c) => c.table === table)!;
      const fingerprint = () => compacted.fingerprint(this.fingerprints, partition, scope);
      const before = await fingerprint();
      const bytesBefore = await this.bytesOnDisk(table, partition);
      if (compacted.wholeLines) await this.storeLinesAsResiduals(partition);
      await this.client.command({ query: `OPTIMIZE TABLE ${table} PARTITION ID '${partitionId(partition)}' FINAL` });
      const after = await fingerprint();
      if (after.rows !== before.rows || after.digest !== before.digest)
        throw new CompactionMismatchError(
          `${table} ${partition}: ${before.rows} rows before the rewrite, ${after.rows} after, digests ${before.digest === after.digest ? 'equal' : 'differ'} ` +
            '(書き換え前後で行が一致しません) — run kansa verify',
        );
      const month = { table, partition, rows: after.rows, bytesBefore, bytesAfter: await this.bytesOnDisk(table, partition) };
      done.push(month);
      onProgress({ ...month, index: i + 1, total: months.length });
    }
    return done;
  }

  /**
   * The month's whole lines stored as residuals (migration 240), by a mutation: each part is replaced by its rewritten
   * copy at once (only the two line columns are written anew), so no reader sees a line twice or not at all.
   */
  private async storeLinesAsResiduals(partition: string): Promise<void> {
    await this.client.command({
      query: `ALTER TABLE ${TABLES.events} UPDATE ${await lineResidualAssignments(this.client)}
              IN PARTITION ID '${partitionId(partition)}' WHERE raw_line != '' SETTINGS mutations_sync = 2`,
    });
  }

  /** Bytes on disk of a month's active parts. */
  private async bytesOnDisk(table: string, partition: string): Promise<number> {
    const [r] = await this.rows<{ b: string }>(
      `SELECT sum(bytes_on_disk) AS b FROM system.parts
       WHERE database = currentDatabase() AND table = {table:String} AND active AND partition_id = {partition:String}`,
      { table, partition },
    );
    return Number(r.b);
  }

  private async rows<T>(query: string, query_params: Record<string, unknown>): Promise<T[]> {
    return (await this.client.query({ query, query_params, format: 'JSONEachRow' })).json<T>();
  }
}

/** The compacted tables' partition IDs are months (toYYYYMM), or `all` (the ledger): the only text put into the OPTIMIZE statement. */
function partitionId(partition: string): string {
  if (!/^(\d{6}|all)$/.test(partition)) throw new Error(`not a month partition: ${partition}`);
  return partition;
}
