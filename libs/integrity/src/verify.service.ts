import { Inject, Injectable } from '@nestjs/common';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { jstDay, jstTimestamp } from '@kansa/domain';
import { BatchLedgerRepository, ChainSummary } from './batch-ledger.repository';
import { IntegrityChecksRepository } from './integrity-checks.repository';
import { BatchRecord, chainHash, GENESIS } from './chain';
import { ContentScope } from './content-scope';
import { walkRanges } from './walk-ranges';
import { ChunkLimits, VERIFY_CHUNK_LIMITS, VerifyChunk, verifyChunks } from './verify-chunks';

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

/**
 * `kansa verify`: recomputes every chain (per source and writer) from stored data. A batch is
 * broken when its rows no longer give its content digest (rows altered,
 * deleted or added), its record no longer gives its chain hash, or the chain
 * skips (a batch record deleted).
 */
@Injectable()
export class VerifyService {
  private readonly retentionYears: number;
  /** How many batches' rows one query recomputes (verifyChunks). */
  chunkLimits: ChunkLimits = VERIFY_CHUNK_LIMITS;
  /** How many batch records of a chain are read at a time. */
  pageSize = 20_000;

  constructor(
    private readonly ledger: BatchLedgerRepository,
    private readonly checks: IntegrityChecksRepository,
    @Inject(KANSA_CONFIG) config: KansaConfig,
  ) {
    this.retentionYears = config.storage.retentionYears;
  }

  async verify(scope: ContentScope = {}): Promise<VerifyReport> {
    const startedMs = Date.now();
    const expiring = retentionCheck(this.retentionYears, Date.now());
    const offDays = await this.ledger.eventsOffTheirDays(scope, this.chunkLimits.batchesAtOnce);
    const broken: BrokenBatch[] = [];
    const sources: VerifyReport['sources'] = [];
    let batchesChecked = 0;
    let expired = 0;
    // Chain by chain (source and writer): its links walked, the content of its batches in scope recomputed.
    for (const chain of await this.ledger.chains(scope.older ? scope.from : undefined)) {
      const { source, writer } = chain;
      const content = new ContentCheck((batches) => this.recomputedDigests(batches, offDays), expiring);
      const link = await this.walkLinks(chain, scope, content);
      batchesChecked += content.checked;
      expired += content.expired;
      const [first] = [link, content.first].filter((x) => x !== undefined).sort((a, b) => a.b.seq - b.b.seq);
      if (first) {
        const { b, problem } = first;
        broken.push({
          source,
          writer,
          seq: b.seq,
          batchId: b.batchId,
          origin: b.origin,
          importedAt: jstTimestamp(b.finishedAtMs),
          problem,
        });
      }
      sources.push({ source, writer, batches: chain.batches, head: chain.head });
    }
    broken.sort((a, b) => a.importedAt.localeCompare(b.importedAt));
    const unrecorded = (await this.ledger.unrecordedBatches(this.chunkLimits)).map((u) => ({
      batchId: u.batch_id,
      table: u.table,
      rows: u.n,
    }));
    const report = {
      ok: broken.length === 0 && unrecorded.length === 0,
      batchesChecked,
      sources,
      broken,
      unrecorded,
      expired,
    };
    // The monthly report states the latest verdict and when it was reached (its evidence section).
    await this.checks.record({
      checkedAtMs: startedMs,
      ok: report.ok,
      batchesChecked: report.batchesChecked,
      expired: report.expired,
      contentFrom: scope.from ?? '',
      contentTo: scope.to ?? '',
      older: scope.older,
      chains: sources,
      problem: firstProblem(report),
    });
    return report;
  }

  /**
   * Walks a chain's links over the ranges walkRanges gives (the whole chain,
   * or in turns a part of it and its newest records) and returns the first
   * record whose link does not hold (its seq, its previous hash, its own
   * hash); a range that does not start the chain starts from its
   * predecessor's recorded hash. The records it reads whose content `scope`
   * covers go to `content`, and then those of the scope it did not walk.
   */
  private async walkLinks(chain: ChainSummary, scope: ContentScope, content: ContentCheck): Promise<BatchProblem | undefined> {
    const { source, writer } = chain;
    const ranges = walkRanges(chain, scope.older, this.pageSize);
    let first: BatchProblem | undefined;
    for (const [lo, hi] of ranges) {
      let seq = lo;
      let prev = GENESIS;
      if (lo > 1) {
        const before = await this.ledger.at(source, writer, lo - 1);
        if (before) prev = before.chainHash;
        else seq = lo - 1; // its predecessor is missing: the range's first record says so
      }
      for await (const page of this.ledger.chainPages(source, writer, this.pageSize, { fromSeq: lo, toSeq: hi, scope })) {
        for (const b of first ? [] : page) {
          const problem = brokenLink(b, seq, prev);
          if (problem) {
            first = { b, problem };
            break;
          }
          prev = b.chainHash;
          seq = b.seq + 1;
        }
        await content.add(page.filter((b) => b.inScope));
      }
    }
    for await (const page of this.ledger.scopedPagesOutside(source, writer, this.pageSize, scope, ranges)) await content.add(page);
    return first;
  }

  /**
   * The content digests of these batches recomputed from the stored rows, a
   * bounded chunk at a time (verifyChunks: memory), each chunk's events read
   * on its days only. A batch with events off its days (`offDays`: there
   * should be none — moved, or added behind kansa's back) is digested over
   * the whole table instead: the verdict is the one of all its rows.
   */
  private async recomputedDigests(batches: readonly BatchRecord[], offDays: ReadonlySet<string>): Promise<Map<string, string>> {
    const digests = new Map<string, string>();
    const chunks: VerifyChunk[] = [
      ...verifyChunks(
        batches.filter((b) => !offDays.has(b.batchId)),
        this.chunkLimits,
      ),
      ...batches.filter((b) => offDays.has(b.batchId)).map((b) => ({ batchIds: [b.batchId] })),
    ];
    for (const chunk of chunks) {
      for (const [id, digest] of await this.ledger.contentDigests(chunk.batchIds, chunk)) digests.set(id, digest);
    }
    return digests;
  }
}

/**
 * The content of batches recomputed and compared with their records, as
 * they come: how many were checked, how many the retention may have thinned
 * (not checked), and the first whose rows no longer give its digest.
 */
class ContentCheck {
  checked = 0;
  expired = 0;
  first?: BatchProblem;

  constructor(
    private readonly recompute: (batches: readonly BatchRecord[]) => Promise<Map<string, string>>,
    private readonly expiring: (b: BatchRecord) => boolean,
  ) {}

  async add(batches: readonly BatchRecord[]): Promise<void> {
    if (batches.length === 0) return;
    const kept = batches.filter((b) => !this.expiring(b));
    this.expired += batches.length - kept.length;
    this.checked += kept.length;
    const digests = await this.recompute(kept);
    const altered = kept.find((b) => digests.get(b.batchId) !== b.contentDigest);
    if (altered && (!this.first || altered.seq < this.first.b.seq))
      this.first = { b: altered, problem: '保存されたログが変更・削除されています (内容ダイジェスト不一致)' };
  }
}

/** A batch record and what does not hold of it, in Japanese. */
interface BatchProblem {
  b: BatchRecord;
  problem: string;
}

/**
 * What does not hold of a batch record that should be number `seq` of its
 * chain, after the hash `prev` — in Japanese; undefined when it holds.
 */
function brokenLink(b: BatchRecord, seq: number, prev: string): string | undefined {
  if (b.seq !== seq) return `連番${seq}の取込記録がありません (削除された可能性)`;
  if (b.prevChain !== prev) return '前の取込とのチェーンが一致しません';
  if (chainHash(b) !== b.chainHash) return '取込記録が改ざんされています (チェーンハッシュ不一致)';
  return undefined;
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
