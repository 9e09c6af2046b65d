import { Inject, Injectable } from '@nestjs/common';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { jstDay, jstTimestamp } from '@kansa/domain';
import { BatchLedgerRepository } from './batch-ledger.repository';
import { IntegrityChecksRepository } from './integrity-checks.repository';
import { BatchRecord, chainHash, GENESIS } from './chain';

export interface BrokenBatch {
  source: string;
  /** The chain's writer ('' for the embedded engine). */
  writer: string;
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
  /** Per chain (source and writer): batches and the head (the digest to write down or print in the report). */
  sources: Array<{ source: string; writer: string; batches: number; head: string }>;
  /** The first broken batch of each source, earliest import first. */
  broken: BrokenBatch[];
  /** Rows whose batch is not in import_batches (inserted outside kansa, or a deleted batch record). */
  unrecorded: Array<{ batchId: string; table: string; rows: number }>;
  /**
   * Batches some of whose rows the retention TTL may have removed (events
   * older than storage.retentionYears, or quarantined lines received that
   * long ago): their records and chain are checked, their content is not.
   */
  expired: number;
}

export interface VerifyOptions {
  /** Only recompute the stored content of batches imported on these JST days (inclusive, YYYY-MM-DD). */
  from?: string;
  to?: string;
}

/**
 * `kansa verify`: recomputes every chain (per source and writer) from stored data. A batch is
 * broken when its rows no longer give its content digest (rows altered,
 * deleted or added), its record no longer gives its chain hash, or the chain
 * skips (a batch record deleted).
 */
@Injectable()
export class VerifyService {
  private readonly retentionYears: number;

  constructor(
    private readonly ledger: BatchLedgerRepository,
    private readonly checks: IntegrityChecksRepository,
    @Inject(KANSA_CONFIG) config: KansaConfig,
  ) {
    this.retentionYears = config.storage.retentionYears;
  }

  async verify(options: VerifyOptions = {}): Promise<VerifyReport> {
    const startedMs = Date.now();
    const batches = await this.ledger.all();
    const inRange = (b: BatchRecord) => {
      const day = jstDay(b.finishedAtMs);
      return (!options.from || day >= options.from) && (!options.to || day <= options.to);
    };
    const expiring = retentionCheck(this.retentionYears, Date.now());
    const expired = new Set(batches.filter(expiring).map((b) => b.batchId));
    const checked = batches.filter((b) => inRange(b) && !expired.has(b.batchId));
    const digests = await this.ledger.contentDigests(checked.map((b) => b.batchId));
    // A chain per source and writer; batches come in chain order.
    const chains = new Map<string, BatchRecord[]>();
    for (const b of batches) {
      const key = `${b.source}\0${b.writer}`;
      const list = chains.get(key);
      if (list) list.push(b);
      else chains.set(key, [b]);
    }
    const broken: BrokenBatch[] = [];
    const sources: VerifyReport['sources'] = [];
    for (const list of chains.values()) {
      const { source, writer } = list[0];
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
          broken.push({
            source,
            writer,
            seq: b.seq,
            batchId: b.batchId,
            origin: b.origin,
            importedAt: jstTimestamp(b.finishedAtMs),
            problem,
          });
          break;
        }
        prev = b.chainHash;
        seq = b.seq + 1;
      }
      sources.push({ source, writer, batches: list.length, head: list[list.length - 1].chainHash });
    }
    broken.sort((a, b) => a.importedAt.localeCompare(b.importedAt));
    const unrecorded = (await this.ledger.unrecordedBatches()).map((u) => ({ batchId: u.batch_id, table: u.table, rows: Number(u.n) }));
    const report = {
      ok: broken.length === 0 && unrecorded.length === 0,
      batchesChecked: checked.length,
      sources,
      broken,
      unrecorded,
      expired: expired.size,
    };
    // The monthly report states the latest verdict and when it was reached (its evidence section).
    await this.checks.record({
      checkedAtMs: startedMs,
      ok: report.ok,
      batchesChecked: report.batchesChecked,
      expired: report.expired,
      contentFrom: options.from ?? '',
      contentTo: options.to ?? '',
      chains: sources,
      problem: firstProblem(report),
    });
    return report;
  }
}

/** The first problem of a verification, in Japanese, as recorded ('' when it holds). */
function firstProblem(r: Pick<VerifyReport, 'broken' | 'unrecorded'>): string {
  const b = r.broken[0];
  if (b) return `${b.source}${b.writer ? `（書込 ${b.writer}）` : ''} 連番${b.seq}（${b.origin}、取込 ${b.importedAt}）: ${b.problem}`;
  const u = r.unrecorded[0];
  return u ? `取込記録のない行: ${u.table} ${u.rows}行（バッチ ${u.batchId}）` : '';
}

/**
 * Whether the retention TTL may have removed some of a batch's rows: events
 * are kept `years` after their time, quarantined lines after their arrival.
 * Batches recorded before their event days were kept are judged by their
 * import time alone.
 */
function retentionCheck(years: number, nowMs: number): (b: BatchRecord) => boolean {
  const cutoff = new Date(nowMs);
  cutoff.setUTCFullYear(cutoff.getUTCFullYear() - years);
  const cutoffDay = jstDay(cutoff.getTime());
  return (b) => b.finishedAtMs < cutoff.getTime() || (b.firstDay !== '' && b.firstDay <= cutoffDay);
}
