import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { CLICKHOUSE, openClickHouse } from '@kansa/storage';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { BatchLedgerRepository } from '../integrity/batch-ledger.repository';
import { chainHash, GENESIS } from '../integrity/chain';
import { CommitIntent, FileIntentStore, IntentStore, openStagingDir, TableIntentStore } from '../sink/commit-intent';
import { dropHeldLines, StagingBatch, storedEvents } from '../sink/staging.writer';
import { buildSourceSystems } from '../source-systems/source-system.registry';
import { SourceConfigError, SourceSystem } from '../source-systems/shared/source-system';
import { IngestCounts, IngestRequest, IngestResult, IngestServicePort, RawRecord } from './ingest.types';
import { PlainLineRows } from './plain-lines';
import { Processed, RecordProcessor } from './record-processor';

/** The request names a source that is not configured. */
export class UnknownSourceError extends Error {}

export interface IngestOptions {
  /** SHA-256 of the file as received (files only), known once the records are read. */
  fileSha256?: () => string;
  /** Called after each chunk with the counts so far (progress bars). */
  onProgress?: (counts: IngestCounts) => void;
}

/** Rows sent to ClickHouse per insert into the staging table. */
const FLUSH_ROWS = 4_096;
const CHUNK = 5_000;
/**
 * Lines per batch (a long file or record stream is committed in batches of
 * this size): bounds the engine's memory at the commit. KANSA_INGEST_BATCH_LINES
 * overrides it (docs/collector.md "Batches").
 */
export const DEFAULT_BATCH_LINES = 100_000;

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
export class IngestService implements IngestServicePort, OnModuleInit {
  private readonly systems: Map<string, SourceSystem>;
  private readonly ledger: BatchLedgerRepository;
  private readonly hmacKey: string;
  /** Embedded engine: where batches wait before the commit (and commit intents). */
  private readonly stagingDir: string | undefined;
  /** Commits run one at a time: duplicate detection and chain order need it. */
  private commitQueue: Promise<unknown> = Promise.resolve();
  /** Commit intents left by a process that died mid-commit, completed before any new commit. */
  private interrupted: CommitIntent[];
  private readonly intents: IntentStore;
  private readonly dataDir: string;
  /** Lines per batch. */
  batchLines: number;
  /**
   * This process's chains (one per source): '' with the embedded engine (one
   * writer); with a server, storage.writer or host:pid, so collectors that
   * write at once never share a chain.
   */
  private readonly writer: string;
  /** Fault tests: SIGKILL this process right after the events insert of the n-th commit. */
  private readonly killAfterEventsInsert = Number(process.env.KANSA_FAULT_KILL_AFTER_EVENTS_INSERT ?? 0);
  private commits = 0;

  constructor(
    @Inject(CLICKHOUSE) private readonly client: ClickHouseClient,
    @Inject(KANSA_CONFIG) config: KansaConfig,
  ) {
    this.systems = buildSourceSystems(config.sources);
    this.ledger = new BatchLedgerRepository(client);
    this.writer = config.storage.url ? config.storage.writer || `${hostname()}:${process.pid}` : '';
    this.dataDir = resolve(config.storage.dataDir);
    if (config.storage.url) {
      this.intents = new TableIntentStore(client, this.writer);
      this.interrupted = [];
    } else {
      const staging = openStagingDir(resolve(config.storage.dataDir));
      this.stagingDir = staging.dir;
      this.intents = new FileIntentStore(staging.dir);
      this.interrupted = staging.intents;
    }
    this.hmacKey = config.privacy.hmacKey || readKeyFile(config.privacy.hmacKeyFile);
    this.batchLines = Number(process.env.KANSA_INGEST_BATCH_LINES) || DEFAULT_BATCH_LINES;
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

  /** Completes interrupted commits as soon as the application opens the data directory. */
  onModuleInit(): Promise<void> {
    return this.serially(async () => {
      if (this.stagingDir) await dropHeldLines(this.client);
      if (this.intents instanceof TableIntentStore) this.interrupted.push(...(await this.intents.pending()));
      await this.recoverInterruptedCommits();
    });
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
    const total: IngestCounts = { read: 0, stored: 0, duplicates: 0, quarantined: 0, reasons: {} };
    const batchIds: string[] = [];
    let batch: OpenBatch | undefined = await this.openBatch(system, request);
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
          if (!batch) batch = await this.openBatch(system, request);
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
              () => this.commit(done, request, '', total),
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
        await this.commit(last, request, options.fileSha256?.() ?? '', total);
      }
    } finally {
      await committing?.catch(() => undefined);
      await batch?.staging.drop();
      const client = await aux?.catch(() => undefined);
      if (client && client !== this.client) await client.close();
    }
    options.onProgress?.(total);
    return { ...total, batchId: batchIds[0], batchIds };
  }

  private async openBatch(system: SourceSystem, request: IngestRequest): Promise<OpenBatch> {
    const batchId = randomUUID().replace(/-/g, '');
    const ctx = { batchId, source: request.source, instance: request.instance ?? '', origin: request.origin, expectHeader: request.transport === 'file' };
    const batch = new OpenBatch(batchId, request.source, new RecordProcessor(system, ctx, this.hmacKey), this.staging(batchId, request.source, ctx.instance));
    await batch.staging.create();
    return batch;
  }

  /** A batch's staging; plain lines of a source with a SQL twin are normalized by ClickHouse. */
  private staging(batchId: string, source: string, instance: string): StagingBatch {
    const sql = this.systems.get(source)?.sql;
    return new StagingBatch(this.client, batchId, this.stagingDir, sql ? { sql, source, instance } : undefined);
  }

  /**
   * Commits a staged batch and appends its ledger row. With the embedded
   * engine a commit intent brackets the two, so a process killed in between
   * leaves something the next one completes.
   */
  private async commit(batch: OpenBatch, request: IngestRequest, fileSha256: string, total: IngestCounts): Promise<void> {
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
    };
    let intentLeft = false;
    try {
      const stored = await this.serially(async () => {
        await this.recoverInterruptedCommits();
        await this.intents.write(intent);
        // From here on, part of the batch may be stored.
        try {
          const n = ++this.commits;
          const stored = await batch.staging.commit(batch.batchId, intent.scope, () => {
            if (n === this.killAfterEventsInsert) process.kill(process.pid, 'SIGKILL');
          });
          await this.appendLedger(intent, stored);
          await this.intents.remove(batch.batchId);
          return stored;
        } catch (err) {
          // Part of the batch may be stored: it is completed (from its staged
          // files or tables) before the next commit, or by the next process.
          this.interrupted.push(intent);
          intentLeft = true;
          throw err;
        }
      });
      total.stored += stored;
      total.duplicates += batch.staged - stored;
    } finally {
      if (!intentLeft) await batch.staging.drop();
    }
  }

  private async appendLedger(intent: CommitIntent, stored: number, finishedAtMs = Date.now()): Promise<void> {
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
      duplicates: intent.staged - stored,
      quarantined: intent.quarantined,
      contentDigest: digest,
      prevChain: prev?.chainHash ?? GENESIS,
      startedAtMs: intent.startedAtMs,
      finishedAtMs,
    };
    await this.ledger.insert({ ...record, chainHash: chainHash(record) });
  }

  /**
   * Completes the commits a killed process left behind: the staged files (or
   * tables, with a server) are still there, so the commit is run again (it
   * adds only what is missing) and the batch's ledger row appended — unless
   * it was already written (killed just before removing the intent).
   */
  async recoverInterruptedCommits(): Promise<void> {
    while (this.interrupted.length > 0) {
      const intent = this.interrupted[0];
      if (!(await this.ledger.has(intent.batchId))) {
        const staging = this.staging(intent.batchId, intent.source, intent.instance);
        const stored = (await staging.isStaged())
          ? await staging.commit(intent.batchId, intent.scope)
          : await storedEvents(this.client, intent.batchId);
        const anything = stored > 0 || (await this.ledger.storedRows(intent.batchId)) > 0;
        if (anything) await this.appendLedger(intent, stored);
        await staging.drop();
      }
      await this.intents.remove(intent.batchId);
      this.interrupted.shift();
    }
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
  private readonly lines = new PlainLineRows();

  constructor(
    readonly batchId: string,
    private readonly source: string,
    private readonly processor: RecordProcessor,
    readonly staging: StagingBatch,
  ) {}

  /** Processes a chunk synchronously (no await per record). */
  take(chunk: RawRecord[], from: number, to: number, total: IngestCounts): void {
    this.records += to - from;
    for (let i = from; i < to; i++) {
      const p = this.processor.processLean(chunk[i], this.lines);
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
    } else if (p.kind === 'event') {
      this.events.push(p.row);
      this.sources.add(p.source);
      this.epochDays.add(p.jstDay);
      this.staged++;
    } else if (p.kind === 'quarantine') {
      this.quarantineRows.push(p.row);
      this.quarantined++;
      total.quarantined++;
      total.reasons[p.reason] = (total.reasons[p.reason] ?? 0) + 1;
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
