import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { CLICKHOUSE, classifyStorageError, StorageFailure } from '@kansa/storage';
import { BatchLedgerRepository, BatchRecord, chainHash, GENESIS } from '@kansa/integrity';
import { SourceSystems } from '../source-systems/source-system.registry';
import { BatchCommitter, CommitOutcome } from './batch-committer';
import { CommitIntent } from './commit-intent';
import { SetAsideBatch, SetAsideRepository } from './set-aside.repository';
import { StagingPlace, StagingStore } from './staging.store';
import { removeBatchRows, StagingBatch } from './staging.writer';
import { storedShares, wholeOf } from './stored-shares';

/** An operator's request about a set-aside batch that cannot be done (unknown batch, not set aside, staged rows gone). */
export class SetAsideRequestError extends Error {
  constructor(
    message: string,
    readonly notFound = false,
  ) {
    super(message);
  }
}

/** A pending commit intent that fails this often for a reason other than storage being down is set aside. */
const MAX_RECOVERY_ATTEMPTS = 3;

/**
 * Commits staged batches, one at a time (duplicate detection and chain
 * order need it), each under a commit intent: the batch's events and
 * quarantined lines (BatchCommitter: poison lines isolated, or the batch set
 * aside), then its row in the integrity chain. Completes what a process left
 * pending when the collector starts; replays or discards set-aside batches
 * for an operator (docs/collector.md "When a commit fails").
 */
@Injectable()
export class CommitService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Ingest');
  private readonly committer: BatchCommitter;
  private queue: Promise<unknown> = Promise.resolve();
  /** Commit intents left pending (a process that died mid-commit, or storage that went away): completed before the next commit. */
  private readonly pending: CommitIntent[] = [];
  /** Fault tests: SIGKILL this process right after the events insert of the n-th commit (ingest.faults). */
  private readonly killAfterEventsInsert: number;
  private commits = 0;
  /**
   * The head of each of this process's own chains (by source), once read or
   * appended: commits are one at a time, and no other process appends to
   * them (one process per data directory; with a server, a writer per
   * process). Forgotten when an append fails (it may have landed).
   */
  private readonly heads = new Map<string, BatchRecord>();

  constructor(
    @Inject(CLICKHOUSE) private readonly client: ClickHouseClient,
    @Inject(KANSA_CONFIG) config: KansaConfig,
    private readonly store: StagingStore,
    private readonly systems: SourceSystems,
    private readonly ledger: BatchLedgerRepository,
    private readonly setAside: SetAsideRepository,
  ) {
    this.committer = new BatchCommitter({
      retries: config.ingest.commitRetries,
      isolationAttempts: config.ingest.isolationAttempts,
      backoffMs: 500,
    });
    this.killAfterEventsInsert = config.ingest.faults.killAfterEventsInsert;
  }

  /**
   * Completes the commits a process left pending, once the collector has
   * started. Never stops the start: a batch that cannot be completed is set
   * aside or left for later (storage down), with a warning.
   */
  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.serially(() => this.recoverPending());
    } catch (err) {
      this.logger.warn(`pending commits not completed yet (retried before the next commit): ${(err as Error).message}`);
    }
  }

  /**
   * Commits a staged batch under `intent`. Stored: its staged rows are
   * removed. Set aside: they are kept aside for a replay. Storage
   * unavailable: thrown, the intent and staged rows kept — completed before
   * the next commit, or by the next process. `abandonRefused` (a batch
   * several requests share): a batch storage refuses is not set aside but
   * given up — what a failed insert left of it removed, its staged rows
   * dropped — so that its requests can be committed one by one.
   */
  commit(intent: CommitIntent, staging: StagingBatch, options: { abandonRefused?: boolean } = {}): Promise<CommitOutcome> {
    return this.serially(async () => {
      await this.recoverPending();
      await this.store.intents.write(intent);
      // From here on, part of the batch may be stored.
      const n = ++this.commits;
      let outcome: CommitOutcome;
      try {
        outcome = await this.complete(
          intent,
          staging,
          () => {
            if (n === this.killAfterEventsInsert) process.kill(process.pid, 'SIGKILL');
          },
          options.abandonRefused,
        );
      } catch (err) {
        this.pending.push(intent);
        throw err;
      }
      if (outcome.kind === 'stored') await staging.drop();
      return outcome;
    });
  }

  /** Batches set aside (all states with `all`), newest first. */
  setAsideBatches(all = false): Promise<SetAsideBatch[]> {
    return this.setAside.list(all ? undefined : 'set_aside');
  }

  /**
   * An operator replays a set-aside batch (after fixing what made storage
   * refuse it): committed like a new batch; stored, it joins its source's
   * chain and is recorded as replayed; refused again, it stays set aside with
   * the new reason.
   */
  replay(batchId: string, by: string, note = ''): Promise<{ outcome: CommitOutcome; batch: SetAsideBatch }> {
    return this.serially(async () => {
      await this.recoverPending();
      const aside = await this.toResolve(batchId);
      // Nothing of it is stored (putAside removed it): its events get a stamp of their own.
      const intent: CommitIntent = { ...aside.intent, attempts: 0, scope: { ...aside.intent.scope, ingestedAtMs: Date.now() } };
      // Written before the staged rows move back: an interrupted replay leaves the batch set aside.
      await this.store.intents.write(intent);
      const staging = this.stagingOf(intent, 'set-aside');
      await this.store.move(staging, 'staging');
      await staging.dropLeftovers(); // of an attempt that died with its Memory tables (a server keeps them)
      let outcome: CommitOutcome;
      try {
        outcome = await this.complete(intent, staging);
      } catch (err) {
        this.pending.push(intent);
        throw err;
      }
      if (outcome.kind === 'stored') {
        await this.markReplayed(batchId, by, note);
        await staging.drop();
      }
      return { outcome, batch: (await this.setAside.get(batchId)) as SetAsideBatch };
    });
  }

  /** An operator gives up a set-aside batch: its staged rows are removed, the record stays (discarded, by whom, why). */
  discard(batchId: string, by: string, note: string): Promise<SetAsideBatch> {
    if (!note.trim())
      return Promise.reject(new SetAsideRequestError('a reason is required to discard a batch (破棄の理由を記入してください)'));
    return this.serially(async () => {
      const aside = await this.toResolve(batchId);
      await this.stagingOf(aside.intent, 'set-aside').drop();
      await this.setAside.record({ ...aside, state: 'discarded', updatedBy: by, note });
      return (await this.setAside.get(batchId)) as SetAsideBatch;
    });
  }

  /**
   * Runs a batch's commit (BatchCommitter) under its written intent and
   * finishes it: the ledger row, or the batch set aside; then the intent is
   * removed (or, `abandon`, given up: see commit()). Throws only when
   * storage is unavailable (the intent stays).
   */
  private async complete(intent: CommitIntent, staging: StagingBatch, afterEvents?: () => void, abandon = false): Promise<CommitOutcome> {
    const outcome = await this.committer.commit(staging, intent, afterEvents);
    if (outcome.kind === 'stored') await this.appendLedger(intent, outcome.stored, outcome.isolated.length, sumOf(outcome.apart));
    else if (abandon) await this.abandon(intent, staging);
    else await this.putAside(intent, staging, outcome.failure);
    await this.store.intents.remove(intent.batchId);
    return outcome;
  }

  /** Gives a refused batch up: nothing of it stays stored or staged (its lines are committed again by their requests). */
  private async abandon(intent: CommitIntent, staging: StagingBatch): Promise<void> {
    await removeBatchRows(this.client, intent.batchId, intent.scope);
    await staging.drop();
    this.logger.warn(`shared batch ${intent.batchId} (${intent.source}) refused by storage: its requests are committed one by one`);
  }

  /**
   * Sets a batch aside: whatever of it a failed insert left in storage is
   * removed (a set-aside batch stores nothing until replayed), the batch is
   * recorded with the reason, and its staged rows are kept for a replay.
   */
  private async putAside(intent: CommitIntent, staging: StagingBatch, failure: StorageFailure): Promise<void> {
    await removeBatchRows(this.client, intent.batchId, intent.scope);
    const before = await this.setAside.get(intent.batchId);
    await this.setAside.record({
      batchId: intent.batchId,
      source: intent.source,
      instance: intent.instance,
      transport: intent.transport,
      origin: intent.origin,
      writer: intent.writer ?? this.store.writer,
      lines: intent.linesRead,
      state: 'set_aside',
      reason: failure.message,
      errorCode: failure.code,
      attempts: (before?.attempts ?? 0) + 1,
      intent,
      setAsideAt: before?.setAsideAt,
      updatedBy: 'kansa',
      note: '',
    });
    await this.store.move(staging, 'set-aside');
    this.logger.error(
      `batch ${intent.batchId} (${intent.source}, ${intent.origin}, ${intent.linesRead} lines) set aside: ${failure.message} — ` +
        '`kansa batches list` / `kansa batches replay` (保存できないバッチを保留しました)',
    );
  }

  /**
   * The batch's import_batches row: `isolated` poison lines were quarantined
   * at the commit, besides those staged as such; `apart` lines kept apart were
   * stored (the others staged were stored before: duplicates).
   */
  private async appendLedger(intent: CommitIntent, stored: number, isolated: number, apart: number): Promise<void> {
    // A recovered intent of another (dead) writer completes that writer's chain.
    const writer = intent.writer ?? this.store.writer;
    const own = writer === this.store.writer;
    const prev = (own ? this.heads.get(intent.source) : undefined) ?? (await this.ledger.last(intent.source, writer));
    const { ingestedAtMs } = intent.scope;
    const digest = (await this.ledger.contentDigests([intent.batchId], { ingestedAtMs })).get(intent.batchId) ?? '';
    const record = {
      batchId: intent.batchId,
      seq: (prev?.seq ?? 0) + 1,
      source: intent.source,
      writer,
      instance: intent.instance,
      transport: intent.transport,
      origin: intent.origin,
      fileSha256: intent.fileSha256,
      linesRead: intent.linesRead,
      stored,
      duplicates: intent.staged - stored - isolated + (intent.apart ?? 0) - apart,
      quarantined: intent.quarantined + isolated,
      apart,
      contentDigest: digest,
      prevChain: prev?.chainHash ?? GENESIS,
      startedAtMs: intent.startedAtMs,
      finishedAtMs: Date.now(),
      ...eventDays(intent.scope.days, stored),
    };
    const appended = { ...record, chainHash: chainHash(record) };
    try {
      await this.ledger.insert(appended);
    } catch (err) {
      this.heads.delete(intent.source);
      throw err;
    }
    if (own) this.heads.set(intent.source, appended);
  }

  /**
   * Completes the commits left pending: by a killed process (its staged
   * files, or tables with a server, are still there, so the commit is run
   * again: it adds only what is missing) or by storage that went away. A
   * batch already recorded only loses its intent; one already set aside has
   * its staged rows moved aside. Storage unavailable stops here (thrown);
   * any other failure is counted on the intent, and after
   * MAX_RECOVERY_ATTEMPTS the batch is set aside — a pending commit never
   * blocks the ones after it.
   */
  private async recoverPending(): Promise<void> {
    this.pending.push(...this.store.takeLeftoverIntents());
    while (this.pending.length > 0) {
      const intent = this.pending[0];
      try {
        await this.recoverOne(intent);
      } catch (err) {
        const failure = classifyStorageError(err);
        if (failure.kind === 'unavailable') throw err;
        const attempts = (intent.attempts ?? 0) + 1;
        if (attempts >= MAX_RECOVERY_ATTEMPTS) {
          await this.putAside(intent, this.stagingOf(intent), failure);
          await this.store.intents.remove(intent.batchId);
        } else {
          // Left to the next process (the attempt is counted on its intent), never in the way of new commits.
          await this.store.intents.write({ ...intent, attempts });
          this.logger.warn(
            `pending batch ${intent.batchId} not completed (attempt ${attempts} of ${MAX_RECOVERY_ATTEMPTS}): ${failure.message}`,
          );
        }
      }
      this.pending.shift();
    }
  }

  private async recoverOne(intent: CommitIntent): Promise<void> {
    const staging = this.stagingOf(intent);
    await staging.dropLeftovers();
    if (await this.ledger.has(intent.batchId)) {
      await this.markReplayed(intent.batchId);
    } else if ((await this.setAside.get(intent.batchId))?.state === 'set_aside') {
      // Set aside, then interrupted before its staged rows were moved aside (or during a replay).
      if (await staging.isStaged()) await this.store.move(staging, 'set-aside');
      await this.store.intents.remove(intent.batchId);
      return;
    } else if (await staging.isStaged()) {
      const outcome = await this.complete(intent, staging);
      if (outcome.kind === 'stored') await staging.drop();
      return;
    } else {
      const stored = wholeOf(await storedShares(this.client, intent.batchId, intent.scope));
      if (stored.events > 0 || (await this.ledger.storedRows(intent.batchId)) > 0)
        await this.appendLedger(intent, stored.events, 0, sumOf(stored.apart));
    }
    await staging.drop();
    await this.store.intents.remove(intent.batchId);
  }

  /** A set-aside batch whose replay reached the ledger is recorded as replayed (after an interrupted replay too). */
  private async markReplayed(batchId: string, by = 'kansa', note = ''): Promise<void> {
    const aside = await this.setAside.get(batchId);
    if (aside?.state === 'set_aside') await this.setAside.record({ ...aside, state: 'replayed', updatedBy: by, note });
  }

  private async toResolve(batchId: string): Promise<SetAsideBatch> {
    const aside = /^[0-9a-f]{32}$/.test(batchId) ? await this.setAside.get(batchId) : undefined;
    if (!aside) throw new SetAsideRequestError(`no batch ${batchId} has been set aside (保留中のバッチではありません)`, true);
    if (aside.state !== 'set_aside') {
      throw new SetAsideRequestError(
        `batch ${batchId} was already ${aside.state === 'replayed' ? 'replayed' : 'discarded'} on ${aside.updatedAt} by ${aside.updatedBy} (処理済みです)`,
      );
    }
    if (!(await this.stagingOf(aside.intent, 'set-aside').isStaged())) {
      throw new SetAsideRequestError(`the staged rows of batch ${batchId} are gone (保留中の行が見つかりません)`);
    }
    return aside;
  }

  /** The staging of a pending or set-aside batch, as its intent describes it. */
  private stagingOf(intent: CommitIntent, place: StagingPlace = 'staging'): StagingBatch {
    const sql = this.systems.names.includes(intent.source) ? this.systems.get(intent.source).sql : undefined;
    const lean = sql ? { sql, source: intent.source, instance: intent.instance, checks: intent.checks } : undefined;
    return this.store.batch(intent.batchId, lean, place, intent.stagingFormat ?? 1);
  }

  private serially<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** The first and last day of a committed batch's events ('' when it stored none). */
function eventDays(days: readonly string[], events: number): { firstDay: string; lastDay: string } {
  if (events === 0 || days.length === 0) return { firstDay: '', lastDay: '' };
  const sorted = [...days].sort();
  return { firstDay: sorted[0], lastDay: sorted[sorted.length - 1] };
}

function sumOf(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, n) => a + n, 0);
}
