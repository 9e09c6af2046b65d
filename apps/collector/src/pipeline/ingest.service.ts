import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { CLICKHOUSE, classifyStorageError, openClickHouse, StorageFailure } from '@kansa/storage';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { BatchLedgerRepository } from '../integrity/batch-ledger.repository';
import { chainHash, GENESIS } from '../integrity/chain';
import { BatchCommitter, CommitOutcome, ISOLATED_FIELD, isolatedReason } from '../sink/batch-committer';
import { CommitIntent, FileIntentStore, IntentStore, openStagingDir, SET_ASIDE_DIR, TableIntentStore } from '../sink/commit-intent';
import { SetAsideBatch, SetAsideRepository } from '../sink/set-aside.repository';
import { dropHeldLines, removeBatchRows, StagingBatch, STAGING_FORMAT, storedEvents } from '../sink/staging.writer';
import { buildSourceSystems } from '../source-systems/source-system.registry';
import { SourceConfigError, SourceSystem } from '../source-systems/shared/source-system';
import { EventBounds, eventBounds, eventChecksSql } from './event-checks';
import { IngestCounts, IngestRequest, IngestResult, IngestServicePort, RawRecord, SetAsideNote } from './ingest.types';
import { PlainLineRows } from './plain-lines';
import { Processed, RecordProcessor } from './record-processor';

/** The request names a source that is not configured. */
export class UnknownSourceError extends Error {}

/** An operator's request about a set-aside batch that cannot be done (unknown batch, not set aside, staged rows gone). */
export class SetAsideRequestError extends Error {
  constructor(message: string, readonly notFound = false) {
    super(message);
  }
}

export interface IngestOptions {
  /** SHA-256 of the file as received (files only), known once the records are read. */
  fileSha256?: () => string;
  /** Called after each chunk with the counts so far (progress bars). */
  onProgress?: (counts: IngestCounts) => void;
}

/** Rows sent to ClickHouse per insert into the staging table. */
const FLUSH_ROWS = 4_096;
const CHUNK = 5_000;
/** A pending commit intent that fails this often for a reason other than storage being down is set aside. */
const MAX_RECOVERY_ATTEMPTS = 3;

/**
 * The one ingest pipeline for every transport (files, Kafka, HTTP):
 * decode → mask → parse/validate → normalize → identify (RecordProcessor,
 * synchronous per record) → stage → commit (dedup into events, quarantine) →
 * record the batch in the integrity chain. A long stream is committed in
 * batches of `batchLines` lines, each its own import_batches row. Resolves
 * only when everything accepted is stored; always read = stored + duplicates
 * + quarantined (summed over the batches).
 */
@Injectable()
export class IngestService implements IngestServicePort, OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('Ingest');
  private readonly systems: Map<string, SourceSystem>;
  private readonly ledger: BatchLedgerRepository;
  private readonly setAside: SetAsideRepository;
  private readonly committer: BatchCommitter;
  private readonly hmacKey: string;
  /** Embedded engine: where batches wait before the commit (and commit intents). */
  private readonly stagingDir: string | undefined;
  /** Embedded engine: where the staged rows of set-aside batches are kept. */
  private readonly setAsideDir: string | undefined;
  /** Commits run one at a time: duplicate detection and chain order need it. */
  private commitQueue: Promise<unknown> = Promise.resolve();
  /** Commit intents left pending (a process that died mid-commit, or storage that went away): completed before the next commit. */
  private pending: CommitIntent[];
  private readonly intents: IntentStore;
  private readonly dataDir: string;
  /** Lines per batch (ingest.batchLines). */
  batchLines: number;
  /**
   * This process's chains (one per source): '' with the embedded engine (one
   * writer); with a server, storage.writer or host:pid, so collectors that
   * write at once never share a chain.
   */
  private readonly writer: string;
  /** Fault tests: SIGKILL this process right after the events insert of the n-th commit (ingest.faults). */
  private readonly killAfterEventsInsert: number;
  private commits = 0;

  constructor(
    @Inject(CLICKHOUSE) private readonly client: ClickHouseClient,
    @Inject(KANSA_CONFIG) private readonly config: KansaConfig,
  ) {
    this.systems = buildSourceSystems(config.sources);
    this.ledger = new BatchLedgerRepository(client);
    this.setAside = new SetAsideRepository(client);
    this.committer = new BatchCommitter({ retries: config.ingest.commitRetries, isolationAttempts: config.ingest.isolationAttempts, backoffMs: 500 });
    this.writer = config.storage.url ? config.storage.writer || `${hostname()}:${process.pid}` : '';
    this.dataDir = resolve(config.storage.dataDir);
    if (config.storage.url) {
      this.intents = new TableIntentStore(client, this.writer);
      this.pending = [];
    } else {
      const staging = openStagingDir(resolve(config.storage.dataDir));
      this.stagingDir = staging.dir;
      this.setAsideDir = join(staging.dir, SET_ASIDE_DIR);
      this.intents = new FileIntentStore(staging.dir);
      this.pending = staging.intents;
    }
    this.hmacKey = config.privacy.hmacKey || readKeyFile(config.privacy.hmacKeyFile);
    this.batchLines = config.ingest.batchLines;
    this.killAfterEventsInsert = config.ingest.faults.killAfterEventsInsert;
  }

  /**
   * A second connection for the SQL twin's checks, so that a batch is
   * checked while the previous one commits (the embedded engine runs one
   * query at a time per connection; a server takes concurrent requests on
   * one client). Opened when a stream first fills a batch, closed at its end.
   */
  private openAuxiliary(): Promise<ClickHouseClient> {
    return this.stagingDir ? openClickHouse({ dataDir: this.dataDir }) : Promise.resolve(this.client);
  }

  /** Leftovers of a process that died: the twin's in-memory tables (embedded), this writer's pending intents (server). */
  onModuleInit(): Promise<void> {
    return this.serially(async () => {
      if (this.stagingDir) await dropHeldLines(this.client);
      if (this.intents instanceof TableIntentStore) this.pending.push(...(await this.intents.pending()));
    });
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

  /** Configured source names. */
  get sources(): string[] {
    return [...this.systems.keys()];
  }

  system(source: string): SourceSystem {
    const system = this.systems.get(source);
    if (!system) throw new UnknownSourceError(`unknown source "${source}" (configured: ${this.sources.join(', ')}) / 未知のシステムです`);
    return system;
  }

  ingest(request: IngestRequest): Promise<IngestResult> {
    return this.ingestChunks(request, chunked(request.records));
  }

  /** The same pipeline, fed with chunks of records (the file reader's lean path). */
  async ingestChunks(request: IngestRequest, chunks: AsyncIterable<RawRecord[]>, options: IngestOptions = {}): Promise<IngestResult> {
    const system = this.system(request.source);
    const total: IngestCounts = { read: 0, stored: 0, duplicates: 0, quarantined: 0, setAside: 0, reasons: {} };
    const setAside: SetAsideNote[] = [];
    const batchIds: string[] = [];
    const bounds = eventBounds(this.config.ingest, this.config.storage.retentionYears, Date.now());
    let batch: OpenBatch | undefined = await this.openBatch(system, request, bounds);
    // A full batch is checked by the SQL twin (on a second connection) at
    // once, while the previous one commits; it commits (in the engine's
    // thread) while the next one is parsed: at most one commit in flight,
    // commits in order.
    let committing: Promise<void> | undefined;
    let aux: Promise<ClickHouseClient> | undefined;
    const settle = async () => {
      const c = committing;
      committing = undefined;
      await c;
    };
    try {
      for await (const chunk of chunks) {
        for (let from = 0; from < chunk.length; ) {
          if (!batch) batch = await this.openBatch(system, request, bounds);
          const to = Math.min(chunk.length, from + this.batchLines - batch.records);
          batch.take(chunk, from, to, total);
          from = to;
          await batch.flush(false);
          if (batch.records >= this.batchLines) {
            const done: OpenBatch = batch;
            batch = undefined;
            aux ??= this.openAuxiliary();
            const checked = aux.then((client) => done.check(total, client));
            checked.catch(() => undefined); // awaited below
            await settle();
            batchIds.push(done.batchId);
            committing = checked.then(
              () => this.commit(done, request, '', total, setAside),
              async (err) => {
                await done.staging.drop().catch(() => undefined);
                throw err;
              },
            );
            committing.catch(() => undefined); // awaited by settle()
          }
        }
        options.onProgress?.(total);
      }
      await settle();
      if (batch && (batch.read > 0 || batchIds.length === 0)) {
        const last: OpenBatch = batch;
        batch = undefined;
        batchIds.push(last.batchId);
        await this.commit(last, request, options.fileSha256?.() ?? '', total, setAside);
      }
    } finally {
      await committing?.catch(() => undefined);
      await batch?.staging.drop();
      const client = await aux?.catch(() => undefined);
      if (client && client !== this.client) await client.close();
    }
    options.onProgress?.(total);
    return { ...total, batchId: batchIds[0], batchIds, setAsideBatches: setAside };
  }

  private async openBatch(system: SourceSystem, request: IngestRequest, bounds: EventBounds): Promise<OpenBatch> {
    const batchId = randomUUID().replace(/-/g, '');
    const ctx = { batchId, source: request.source, instance: request.instance ?? '', origin: request.origin, expectHeader: request.transport === 'file', bounds };
    const checks = eventChecksSql(bounds);
    const batch = new OpenBatch(batchId, request.source, new RecordProcessor(system, ctx, this.hmacKey), this.staging(batchId, request.source, ctx.instance, checks), checks, request.refuse);
    await batch.staging.create();
    return batch;
  }

  /** A batch's staging; plain lines of a source with a SQL twin are normalized by ClickHouse. */
  private staging(batchId: string, source: string, instance: string, checks: string | undefined, where = this.stagingDir, format = STAGING_FORMAT): StagingBatch {
    const sql = this.systems.get(source)?.sql;
    return new StagingBatch(this.client, batchId, where, sql ? { sql, source, instance, checks } : undefined, format);
  }

  /** The staging of a pending or set-aside batch, as its intent describes it. */
  private stagingOf(intent: CommitIntent, where = this.stagingDir): StagingBatch {
    return this.staging(intent.batchId, intent.source, intent.instance, intent.checks, where, intent.stagingFormat ?? 1);
  }

  /**
   * Commits a staged batch and appends its ledger row. A commit intent
   * brackets the two, so a process killed in between (or storage that went
   * away) leaves something the next commit or process completes. A batch
   * storage refuses for good has its poison lines quarantined, or is set
   * aside whole (BatchCommitter); it never stops the batches after it.
   */
  private async commit(batch: OpenBatch, request: IngestRequest, fileSha256: string, total: IngestCounts, setAside: SetAsideNote[]): Promise<void> {
    await batch.check(total, this.client);
    const intent: CommitIntent = {
      batchId: batch.batchId,
      source: request.source,
      instance: request.instance ?? '',
      transport: request.transport,
      origin: request.origin,
      fileSha256,
      linesRead: batch.read,
      staged: batch.staged,
      quarantined: batch.quarantined,
      startedAtMs: batch.startedAtMs,
      scope: { sources: [...batch.sources], days: [...batch.days] },
      stagingFormat: STAGING_FORMAT,
      checks: batch.checks,
    };
    /** Pending (completed later) or set aside: its staged rows are kept. */
    let keep = false;
    try {
      const outcome = await this.serially(async () => {
        await this.recoverPending();
        await this.intents.write(intent);
        // From here on, part of the batch may be stored.
        try {
          const n = ++this.commits;
          return await this.complete(intent, batch.staging, () => {
            if (n === this.killAfterEventsInsert) process.kill(process.pid, 'SIGKILL');
          });
        } catch (err) {
          // Storage went away: completed from the staged rows before the next commit, or by the next process.
          this.pending.push(intent);
          keep = true;
          throw err;
        }
      });
      if (outcome.kind === 'stored') {
        total.stored += outcome.stored;
        total.duplicates += batch.staged - outcome.stored - outcome.isolated.length;
        total.quarantined += outcome.isolated.length;
        for (const line of outcome.isolated) countReason(total.reasons, `${ISOLATED_FIELD}: ${isolatedReason(line.failure)}`, 1);
      } else {
        keep = true;
        batch.uncount(total);
        total.setAside += batch.read;
        setAside.push({ batchId: batch.batchId, lines: batch.read, reason: outcome.failure.message, code: outcome.failure.code });
      }
    } finally {
      if (!keep) await batch.staging.drop();
    }
  }

  /**
   * Runs a batch's commit (BatchCommitter) under its written intent and
   * finishes it: the ledger row, or the batch set aside; then the intent is
   * removed. Throws only when storage is unavailable (the intent stays).
   */
  private async complete(intent: CommitIntent, staging: StagingBatch, afterEvents?: () => void): Promise<CommitOutcome> {
    const outcome = await this.committer.commit(staging, intent, afterEvents);
    if (outcome.kind === 'stored') {
      await this.appendLedger(intent, outcome.stored, outcome.isolated.length);
    } else {
      await this.putAside(intent, staging, outcome.failure);
    }
    await this.intents.remove(intent.batchId);
    return outcome;
  }

  /**
   * Sets a batch aside: whatever of it a failed insert left in storage is
   * removed (a set-aside batch stores nothing until replayed), the batch is
   * recorded with the reason, and its staged rows are kept for a replay.
   */
  private async putAside(intent: CommitIntent, staging: StagingBatch, failure: StorageFailure, by = 'kansa'): Promise<void> {
    await removeBatchRows(this.client, intent.batchId, intent.scope);
    const before = await this.setAside.get(intent.batchId);
    await this.setAside.record({
      batchId: intent.batchId, source: intent.source, instance: intent.instance, transport: intent.transport, origin: intent.origin,
      writer: intent.writer ?? this.writer, lines: intent.linesRead, state: 'set_aside', reason: failure.message, errorCode: failure.code,
      attempts: (before?.attempts ?? 0) + 1, intent, setAsideAt: before?.setAsideAt, updatedBy: by, note: '',
    });
    if (this.setAsideDir) await staging.moveTo(this.setAsideDir);
    this.logger.error(
      `batch ${intent.batchId} (${intent.source}, ${intent.origin}, ${intent.linesRead} lines) set aside: ${failure.message} — ` +
        '`kansa batches list` / `kansa batches replay` (保存できないバッチを保留しました)',
    );
  }

  /** The batch's import_batches row: `isolated` poison lines were quarantined at the commit, besides those staged as such. */
  private async appendLedger(intent: CommitIntent, stored: number, isolated = 0): Promise<void> {
    // A recovered intent of another (dead) writer completes that writer's chain.
    const writer = intent.writer ?? this.writer;
    const prev = await this.ledger.last(intent.source, writer);
    const digest = (await this.ledger.contentDigests([intent.batchId])).get(intent.batchId) ?? '';
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
      duplicates: intent.staged - stored - isolated,
      quarantined: intent.quarantined + isolated,
      contentDigest: digest,
      prevChain: prev?.chainHash ?? GENESIS,
      startedAtMs: intent.startedAtMs,
      finishedAtMs: Date.now(),
      ...eventDays(intent.scope.days, stored),
    };
    await this.ledger.insert({ ...record, chainHash: chainHash(record) });
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
          await this.intents.remove(intent.batchId);
        } else {
          // Left to the next process (the attempt is counted on its intent), never in the way of new commits.
          await this.intents.write({ ...intent, attempts });
          this.logger.warn(`pending batch ${intent.batchId} not completed (attempt ${attempts} of ${MAX_RECOVERY_ATTEMPTS}): ${failure.message}`);
        }
      }
      this.pending.shift();
    }
  }

  private async recoverOne(intent: CommitIntent): Promise<void> {
    const staging = this.stagingOf(intent);
    if (await this.ledger.has(intent.batchId)) {
      await this.markReplayed(intent.batchId);
    } else if ((await this.setAside.get(intent.batchId))?.state === 'set_aside') {
      // Set aside, then interrupted before its staged rows were moved aside (or during a replay).
      if (this.setAsideDir && (await staging.isStaged())) await staging.moveTo(this.setAsideDir);
      await this.intents.remove(intent.batchId);
      return;
    } else if (await staging.isStaged()) {
      const outcome = await this.complete(intent, staging);
      if (outcome.kind === 'stored') await staging.drop();
      return;
    } else {
      const stored = await storedEvents(this.client, intent.batchId);
      if (stored > 0 || (await this.ledger.storedRows(intent.batchId)) > 0) await this.appendLedger(intent, stored);
    }
    await staging.drop();
    await this.intents.remove(intent.batchId);
  }

  /** A set-aside batch whose replay reached the ledger is recorded as replayed (after an interrupted replay too). */
  private async markReplayed(batchId: string, by = 'kansa', note = ''): Promise<void> {
    const aside = await this.setAside.get(batchId);
    if (aside?.state === 'set_aside') await this.setAside.record({ ...aside, state: 'replayed', updatedBy: by, note });
  }

  /** Batches set aside (all states with `all`), newest first. */
  async setAsideBatches(all = false): Promise<SetAsideBatch[]> {
    return this.setAside.list(all ? undefined : 'set_aside');
  }

  /**
   * An operator replays a set-aside batch (after fixing what made storage
   * refuse it): committed like a new batch; stored, it joins its source's
   * chain and is recorded as replayed; refused again, it stays set aside with
   * the new reason.
   */
  async replaySetAside(batchId: string, by: string, note = ''): Promise<{ outcome: CommitOutcome; batch: SetAsideBatch }> {
    return this.serially(async () => {
      await this.recoverPending();
      const aside = await this.setAsideToResolve(batchId);
      const intent: CommitIntent = { ...aside.intent, attempts: 0 };
      // Written before the staged rows move back: an interrupted replay leaves the batch set aside.
      await this.intents.write(intent);
      const staging = this.stagingOf(intent, this.setAsideDir);
      if (this.stagingDir) await staging.moveTo(this.stagingDir);
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
  async discardSetAside(batchId: string, by: string, note: string): Promise<SetAsideBatch> {
    if (!note.trim()) throw new SetAsideRequestError('a reason is required to discard a batch (破棄の理由を記入してください)');
    return this.serially(async () => {
      const aside = await this.setAsideToResolve(batchId);
      await this.stagingOf(aside.intent, this.setAsideDir).drop();
      await this.setAside.record({ ...aside, state: 'discarded', updatedBy: by, note });
      return (await this.setAside.get(batchId)) as SetAsideBatch;
    });
  }

  private async setAsideToResolve(batchId: string): Promise<SetAsideBatch> {
    const aside = /^[0-9a-f]{32}$/.test(batchId) ? await this.setAside.get(batchId) : undefined;
    if (!aside) throw new SetAsideRequestError(`no batch ${batchId} has been set aside (保留中のバッチではありません)`, true);
    if (aside.state !== 'set_aside') throw new SetAsideRequestError(`batch ${batchId} was already ${aside.state === 'replayed' ? 'replayed' : 'discarded'} on ${aside.updatedAt} by ${aside.updatedBy} (処理済みです)`);
    if (!(await this.stagingOf(aside.intent, this.setAsideDir).isStaged())) {
      throw new SetAsideRequestError(`the staged rows of batch ${batchId} are gone (保留中の行が見つかりません)`);
    }
    return aside;
  }

  private serially<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.commitQueue.then(fn, fn);
    this.commitQueue = run.catch(() => undefined);
    return run;
  }
}

/** A batch being staged. */
class OpenBatch {
  readonly startedAtMs = Date.now();
  /** Records taken (lines, including skipped headers and empty lines). */
  records = 0;
  read = 0;
  staged = 0;
  quarantined = 0;
  readonly sources = new Set<string>();
  /** JST days of the staged events (YYYY-MM-DD). */
  readonly days = new Set<string>();
  private readonly epochDays = new Set<number>();
  /** Plain lines staged for the SQL twin, not yet checked. */
  private leanLines = 0;
  private checked = false;
  private events: string[] = [];
  private quarantineRows: string[] = [];
  /** Quarantine reasons of this batch (taken back from the totals if it is set aside). */
  private readonly reasons: Record<string, number> = {};
  private readonly lines = new PlainLineRows();

  constructor(
    readonly batchId: string,
    private readonly source: string,
    private readonly processor: RecordProcessor,
    readonly staging: StagingBatch,
    /** The condition every accepted line meets (event-checks.ts), recorded with the commit. */
    readonly checks: string,
    /** Quarantine every record with this field and reason (IngestRequest.refuse). */
    private readonly refuse?: { field: string; reason: string },
  ) {}

  /** Takes this batch's quarantined lines back out of the totals: set aside, none of it is stored. */
  uncount(total: IngestCounts): void {
    total.quarantined -= this.quarantined;
    for (const [reason, n] of Object.entries(this.reasons)) countReason(total.reasons, reason, -n);
  }

  /** Processes a chunk synchronously (no await per record). */
  take(chunk: RawRecord[], from: number, to: number, total: IngestCounts): void {
    this.records += to - from;
    for (let i = from; i < to; i++) {
      const p = this.refuse ? this.processor.refuse(chunk[i], this.refuse.field, this.refuse.reason) : this.processor.processLean(chunk[i], this.lines);
      if (p?.kind === 'skip') continue;
      this.read++;
      total.read++;
      if (p === undefined) this.leanLines++;
      else this.count(p, total);
    }
  }

  private count(p: Processed, total: IngestCounts): void {
    if (p.kind === 'skip') {
      // a refused plain line that is no log line after all (a repeated header, blanks)
      this.read--;
      total.read--;
    } else if (p.kind === 'ok') {
      this.events.push(p.value.row);
      this.sources.add(p.value.source);
      this.epochDays.add(p.value.jstDay);
      this.staged++;
    } else {
      const reason = `${p.field}: ${p.reason}`;
      this.quarantineRows.push(p.row);
      this.quarantined++;
      total.quarantined++;
      countReason(total.reasons, reason, 1);
      countReason(this.reasons, reason, 1);
    }
  }

  /**
   * Writes out what is staged and lets the SQL twin check the plain lines
   * (on `client`): those it accepts are staged events (their days bound the
   * duplicate check); those it refuses go through zod now (an event after
   * all, or quarantine with zod's reason). Once per batch.
   */
  async check(total: IngestCounts, client: ClickHouseClient): Promise<void> {
    if (this.checked) return;
    this.checked = true;
    await this.flush(true);
    if (this.leanLines > 0) {
      const { days, refused } = await this.staging.checkLines(client);
      this.staged += this.leanLines - refused.length;
      if (refused.length < this.leanLines) this.sources.add(this.source);
      for (const d of days) this.days.add(d);
      for (const line of refused) {
        const p = line.fromText
          ? this.processor.normalizeText(line.lineNo, line.origin, line.raw.toString('utf8'))
          : this.processor.process({ lineNo: line.lineNo, origin: line.origin || undefined, bytes: line.raw });
        this.count(p, total);
      }
      this.leanLines = 0;
      await this.flush(true);
    }
    for (const d of this.epochDays) this.days.add(new Date(d * 86_400_000).toISOString().slice(0, 10));
  }

  /** Writes the rows held so far to staging (all of them when `all`). */
  async flush(all: boolean): Promise<void> {
    if (this.events.length >= (all ? 1 : FLUSH_ROWS)) {
      await this.staging.appendEvents(this.events.join(''));
      this.events = [];
    }
    if (this.lines.count >= (all ? 1 : FLUSH_ROWS)) await this.staging.appendLines(this.lines.take());
    if (this.quarantineRows.length >= (all ? 1 : FLUSH_ROWS / 10)) {
      await this.staging.appendQuarantine(this.quarantineRows.join(''));
      this.quarantineRows = [];
    }
  }
}

/** The first and last day of a committed batch's events ('' when it stored none). */
function eventDays(days: readonly string[], events: number): { firstDay: string; lastDay: string } {
  if (events === 0 || days.length === 0) return { firstDay: '', lastDay: '' };
  const sorted = [...days].sort();
  return { firstDay: sorted[0], lastDay: sorted[sorted.length - 1] };
}

function countReason(reasons: Record<string, number>, reason: string, n: number): void {
  const v = (reasons[reason] ?? 0) + n;
  if (v === 0) delete reasons[reason];
  else reasons[reason] = v;
}

function readKeyFile(path: string): string {
  if (!path) return '';
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new SourceConfigError(`privacy.hmacKeyFile: cannot read ${path}: ${(err as Error).message}`);
  }
}

/** Groups any iterable of records into arrays, without an await per record for sync iterables. */
async function* chunked(records: AsyncIterable<RawRecord> | Iterable<RawRecord>): AsyncIterable<RawRecord[]> {
  let chunk: RawRecord[] = [];
  if (Symbol.iterator in records) {
    for (const r of records as Iterable<RawRecord>) {
      chunk.push(r);
      if (chunk.length >= CHUNK) {
        yield chunk;
        chunk = [];
      }
    }
  } else {
    for await (const r of records) {
      chunk.push(r);
      if (chunk.length >= CHUNK) {
        yield chunk;
        chunk = [];
      }
    }
  }
  if (chunk.length > 0) yield chunk;
}
