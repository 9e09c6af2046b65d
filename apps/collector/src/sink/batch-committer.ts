import { classifyStorageError, StorageFailure, StorageUnavailableError } from '@kansa/storage';
import { CommitScope, LineRange, StagingBatch } from './staging.writer';
import { StoredShare, storedShares, wholeOf } from './stored-shares';

/** What became of a commit. */
export type CommitOutcome =
  /**
   * Stored: every event of the batch but the `isolated` lines storage
   * refuses, which are quarantined; `apart`: the lines kept apart it stored,
   * by label (those stored before by an earlier sending are duplicates);
   * `shares`: the same per share of its lines (one share unless the batch
   * was shared: CommitIntent.shareEnds).
   */
  | { kind: 'stored'; stored: number; isolated: IsolatedLine[]; apart: Record<string, number>; shares: StoredShare[] }
  /** Nothing could be made of it within bounds: the batch is to be set aside whole. */
  | { kind: 'set-aside'; failure: StorageFailure };

/** A line whose event storage refuses (a poison line), and why. */
export interface IsolatedLine {
  lineNo: number;
  failure: StorageFailure;
}

export interface CommitterSettings {
  /** More tries of a request storage refused for now (transient) before treating it as refused. */
  retries: number;
  /** Failed inserts allowed while isolating poison lines; beyond, the batch is set aside. */
  isolationAttempts: number;
  /** First wait between tries of a transient failure (then ×4). */
  backoffMs: number;
}

/** The field and reason of a poison line's quarantine row. */
export const ISOLATED_FIELD = '(保存)';
export function isolatedReason(f: StorageFailure): string {
  return `保存できませんでした (ClickHouse ${f.code || 'error'}): ${f.message}`.slice(0, 500);
}

class BudgetExhausted extends Error {
  constructor(readonly failure: StorageFailure) {
    super(failure.message);
  }
}

/**
 * Commits a staged batch so that one bad line, or one bad batch, never
 * stalls anything (docs/collector.md "When a commit fails"), deciding from
 * the one classification of @kansa/storage:
 * - storage unavailable: thrown (StorageUnavailableError) — the commit intent
 *   stays and the batch is completed later; senders retry;
 * - refused for now (transient): tried again, a bounded number of times;
 * - refused for good, or still refused: the lines that cause it are isolated
 *   by halving the batch's line range (one poison line in 100,000 costs
 *   about 34 inserts), stored around and quarantined with the engine's
 *   reason; when that takes more than `isolationAttempts` failed inserts, or
 *   no line at all is taken (the trouble is not in the lines: a limit, the
 *   schema), the batch is to be set aside.
 * Every step is idempotent, so a commit interrupted anywhere can run again.
 */
export class BatchCommitter {
  constructor(
    private readonly settings: CommitterSettings,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /** `afterEvents` runs once the events are in (the fault tests' kill point). */
  async commit(
    staging: StagingBatch,
    batch: {
      scope: CommitScope;
      source: string;
      origin: string;
      quarantined: number;
      apart?: number;
      stagingFormat?: number;
      shareEnds?: number[];
    },
    afterEvents?: () => void,
  ): Promise<CommitOutcome> {
    const { scope } = batch;
    await staging.prepare();
    const isolated: IsolatedLine[] = [];
    let noApart: boolean;
    try {
      try {
        await this.insert(staging, scope);
      } catch (err) {
        const failure = refusal(err);
        const lines = await staging.eventLines();
        if (!lines) return { kind: 'set-aside', failure };
        await this.isolate(staging, scope, lines, failure, { failures: 1 }, isolated);
        // Not one line taken: the trouble is not in the lines (a limit, the schema).
        if (isolated.length >= lines.count) return { kind: 'set-aside', failure };
      }
      afterEvents?.();
      // Nothing staged as quarantined or kept apart (the intent counts them): no statement for them.
      if (batch.quarantined > 0) await staging.insertQuarantine();
      noApart = batch.apart === 0 && (batch.stagingFormat ?? 1) >= 3;
      if (!noApart) await staging.insertApart();
      for (const line of isolated) {
        await staging.quarantineEvent({
          lineNo: line.lineNo,
          source: batch.source,
          origin: batch.origin,
          field: ISOLATED_FIELD,
          reason: isolatedReason(line.failure),
        });
      }
    } catch (err) {
      if (err instanceof BudgetExhausted) return { kind: 'set-aside', failure: err.failure };
      if (err instanceof StorageUnavailableError) throw err;
      return { kind: 'set-aside', failure: classifyStorageError(err) };
    } finally {
      await staging.release();
    }
    const shares = await storedShares(staging.client, staging.batchId, scope, { ends: batch.shareEnds, withApart: !noApart });
    const whole = wholeOf(shares);
    return { kind: 'stored', stored: whole.events, isolated, apart: whole.apart, shares };
  }

  /** Narrows a failing range of lines down to the lines that fail, storing the rest. */
  private async isolate(
    staging: StagingBatch,
    scope: CommitScope,
    range: LineRange,
    failure: StorageFailure,
    budget: { failures: number },
    out: IsolatedLine[],
  ): Promise<void> {
    if (range.from === range.to) {
      out.push({ lineNo: range.from, failure });
      return;
    }
    const mid = Math.floor((range.from + range.to) / 2);
    for (const half of [
      { from: range.from, to: mid },
      { from: mid + 1, to: range.to },
    ]) {
      try {
        await this.insert(staging, scope, half);
      } catch (err) {
        const f = refusal(err);
        if (++budget.failures > this.settings.isolationAttempts) throw new BudgetExhausted(f);
        await this.isolate(staging, scope, half, f, budget, out);
      }
    }
  }

  /** One insert, tried again while storage refuses it for now; throws what storage said last. */
  private async insert(staging: StagingBatch, scope: CommitScope, lines?: LineRange): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await staging.insertEvents(scope, lines);
        return;
      } catch (err) {
        if (classifyStorageError(err).kind !== 'transient' || attempt >= this.settings.retries) throw err;
        await this.sleep(this.settings.backoffMs * 4 ** attempt);
      }
    }
  }
}

/** A refusal (transient after its retries, or permanent); storage unavailable is thrown on. */
function refusal(err: unknown): StorageFailure {
  const failure = classifyStorageError(err);
  if (failure.kind === 'unavailable') throw err;
  return failure;
}
