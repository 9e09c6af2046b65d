import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { CLICKHOUSE } from '@kansa/storage';
import { BatchLedgerRepository, jstText } from './batch-ledger.repository';
import { BatchRecord, chainHash, GENESIS } from './chain';

export interface BrokenBatch {
  source: string;
  seq: number;
  batchId: string;
  origin: string;
  /** When the batch was imported, JST `YYYY-MM-DD HH:MM:SS.mmm`. */
  importedAt: string;
  /** What does not hold, in Japanese. */
  problem: string;
}

export interface VerifyReport {
  ok: boolean;
  batchesChecked: number;
  /** Per source: batches and the chain head (the digest to write down or print in the report). */
  sources: Array<{ source: string; batches: number; head: string }>;
  /** The first broken batch of each source, earliest import first. */
  broken: BrokenBatch[];
  /** Rows whose batch is not in import_batches (inserted outside kansa, or a deleted batch record). */
  unrecorded: Array<{ batchId: string; table: string; rows: number }>;
}

export interface VerifyOptions {
  /** Only recompute the stored content of batches imported on these JST days (inclusive, YYYY-MM-DD). */
  from?: string;
  to?: string;
}

/**
 * `kansa verify`: recomputes every source's chain from stored data. A batch is
 * broken when its rows no longer give its content digest (rows altered,
 * deleted or added), its record no longer gives its chain hash, or the chain
 * skips (a batch record deleted).
 */
@Injectable()
export class VerifyService {
  private readonly ledger: BatchLedgerRepository;

  constructor(@Inject(CLICKHOUSE) client: ClickHouseClient) {
    this.ledger = new BatchLedgerRepository(client);
  }

  async verify(options: VerifyOptions = {}): Promise<VerifyReport> {
    const batches = await this.ledger.all();
    const inRange = (b: BatchRecord) => {
      const day = jstText(b.finishedAtMs).slice(0, 10);
      return (!options.from || day >= options.from) && (!options.to || day <= options.to);
    };
    const checked = batches.filter(inRange);
    const digests = await this.ledger.contentDigests(checked.map((b) => b.batchId));
    const bySource = new Map<string, BatchRecord[]>();
    for (const b of batches) bySource.set(b.source, [...(bySource.get(b.source) ?? []), b]);
    const broken: BrokenBatch[] = [];
    const sources: VerifyReport['sources'] = [];
    for (const [source, list] of bySource) {
      let prev = GENESIS;
      let seq = 1;
      for (const b of list) {
        const problem =
          b.seq !== seq
            ? `連番${seq}の取込記録がありません (削除された可能性)`
            : b.prevChain !== prev
              ? '前の取込とのチェーンが一致しません'
              : chainHash(b) !== b.chainHash
                ? '取込記録が改ざんされています (チェーンハッシュ不一致)'
                : digests.has(b.batchId) && digests.get(b.batchId) !== b.contentDigest
                  ? '保存されたログが変更・削除されています (内容ダイジェスト不一致)'
                  : undefined;
        if (problem) {
          broken.push({ source, seq: b.seq, batchId: b.batchId, origin: b.origin, importedAt: jstText(b.finishedAtMs), problem });
          break;
        }
        prev = b.chainHash;
        seq = b.seq + 1;
      }
      sources.push({ source, batches: list.length, head: list[list.length - 1].chainHash });
    }
    broken.sort((a, b) => a.importedAt.localeCompare(b.importedAt));
    const unrecorded = (await this.ledger.unrecordedBatches()).map((u) => ({ batchId: u.batch_id, table: u.table, rows: Number(u.n) }));
    return { ok: broken.length === 0 && unrecorded.length === 0, batchesChecked: checked.length, sources, broken, unrecorded };
  }
}
