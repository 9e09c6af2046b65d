import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CommitOutcome, IsolatedLine, ISOLATED_FIELD, isolatedReason } from '../sink/batch-committer';
import { CommitIntent } from '../sink/commit-intent';
import { CommitService } from '../sink/commit.service';
import { StagingStore } from '../sink/staging.store';
import { STAGING_FORMAT } from '../sink/staging.writer';
import { SourceSystems } from '../source-systems/source-system.registry';
import { SourceConfigError, SourceSystem } from '../source-systems/shared/source-system';
import { EventBounds, eventBounds, eventChecksSql } from './event-checks';
import { emptyCounts, IngestCounts, IngestRequest, IngestResult, IngestServicePort, RawRecord, SetAsideNote } from './ingest.types';
import { countReason, OpenBatch, Tally } from './open-batch';
import { RecordProcessor } from './record-processor';

export { UnknownSourceError } from '../source-systems/source-system.registry';

export interface IngestOptions {
  /** SHA-256 of the file as received (files only), known once the records are read. */
  fileSha256?: () => string;
  /** Called after each chunk with the counts so far (progress bars). */
  onProgress?: (counts: IngestCounts) => void;
}

const CHUNK = 5_000;

/**
 * The one ingest pipeline for every transport (files, Kafka, HTTP):
 * decode → mask → parse/validate → normalize → identify (RecordProcessor,
 * synchronous per record) → stage (OpenBatch, StagingStore) → commit
 * (CommitService: dedup into events, quarantine, the integrity chain). A
 * long stream is committed in batches of `ingest.batchLines` lines, each its
 * own import_batches row. Resolves only when everything accepted is stored;
 * always read = stored + duplicates + quarantined + apart + setAside (summed over
 * the batches).
 */
@Injectable()
export class IngestService implements IngestServicePort {
  private readonly hmacKey: string;
  /** Lines per batch (ingest.batchLines). */
  batchLines: number;

  constructor(
    @Inject(KANSA_CONFIG) private readonly config: KansaConfig,
    private readonly systems: SourceSystems,
    private readonly store: StagingStore,
    private readonly commits: CommitService,
  ) {
    this.hmacKey = config.privacy.hmacKey || readKeyFile(config.privacy.hmacKeyFile);
    this.batchLines = config.ingest.batchLines;
  }

  /** Configured source names. */
  get sources(): string[] {
    return this.systems.names;
  }

  system(source: string): SourceSystem {
    return this.systems.get(source);
  }

  ingest(request: IngestRequest): Promise<IngestResult> {
    return this.ingestChunks(request, chunked(request.records));
  }

  /** The same pipeline, fed with chunks of records (the file reader's lean path). */
  async ingestChunks(request: IngestRequest, chunks: AsyncIterable<RawRecord[]>, options: IngestOptions = {}): Promise<IngestResult> {
    const system = this.system(request.source);
    const total = emptyCounts();
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
        for (let from = 0; from < chunk.length;) {
          if (!batch) batch = await this.openBatch(system, request, bounds);
          const to = Math.min(chunk.length, from + this.batchLines - batch.records);
          batch.take(chunk, from, to, total);
          from = to;
          await batch.flush(false);
          if (batch.records >= this.batchLines) {
            const done: OpenBatch = batch;
            batch = undefined;
            aux ??= this.store.openAuxiliary();
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
      await this.store.releaseAuxiliary(await aux?.catch(() => undefined));
    }
    options.onProgress?.(total);
    return { ...total, batchId: batchIds[0], batchIds, setAsideBatches: setAside };
  }

  /** A new batch of the request's source, staging (also the group committer's, for the batch several requests share). */
  async openBatch(system: SourceSystem, request: IngestRequest, bounds: EventBounds, lean = true): Promise<OpenBatch> {
    const batchId = randomUUID().replace(/-/g, '');
    const instance = request.instance ?? '';
    const ctx = {
      batchId,
      source: request.source,
      instance,
      origin: request.origin,
      expectHeader: request.transport === 'file',
      bounds,
      allowedSources: request.allowedSources,
    };
    const checks = eventChecksSql(bounds);
    // Plain lines of a source with a SQL twin are normalized by ClickHouse.
    const twin = lean ? system.sql : undefined;
    const staging = this.store.batch(batchId, twin ? { sql: twin, source: request.source, instance, checks } : undefined);
    const processor = new RecordProcessor(system, ctx, this.hmacKey);
    const batch = new OpenBatch(batchId, request.source, processor, staging, checks, request.refuse, twin !== undefined);
    await staging.create();
    return batch;
  }

  /** Checks a batch's plain lines (once), commits it (CommitService) and counts what became of it. */
  async commit(batch: OpenBatch, request: IngestRequest, fileSha256: string, total: IngestCounts, setAside: SetAsideNote[]): Promise<void> {
    const outcome = await this.commitStaged(batch, request, fileSha256, total);
    if (outcome.kind === 'stored') {
      total.stored += outcome.stored;
      total.duplicates += batch.staged - outcome.stored - outcome.isolated.length;
      batch.settleApart(total, outcome.apart);
      countIsolated(total, outcome.isolated);
    } else {
      batch.uncount(total);
      total.setAside += batch.read;
      setAside.push({ batchId: batch.batchId, lines: batch.read, reason: outcome.failure.message, code: outcome.failure.code });
    }
  }

  /**
   * Checks a batch's plain lines (once, the refused ones counted in `tally`)
   * and commits it under its intent (CommitService; `options` as there).
   */
  async commitStaged(
    batch: OpenBatch,
    request: Pick<IngestRequest, 'source' | 'instance' | 'transport' | 'origin'>,
    fileSha256: string,
    tally: Tally,
    options?: { abandonRefused?: boolean; shareEnds?: number[] },
  ): Promise<CommitOutcome> {
    await batch.check(tally, this.store.client);
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
      apart: batch.apart,
      startedAtMs: batch.startedAtMs,
      scope: { sources: [...batch.sources], days: [...batch.days], ingestedAtMs: Date.now() },
      stagingFormat: STAGING_FORMAT,
      checks: batch.checks,
      shareEnds: options?.shareEnds,
    };
    return this.commits.commit(intent, batch.staging, options);
  }
}

/** Poison lines a commit isolated (and quarantined): counted with their reason. */
export function countIsolated(total: IngestCounts, isolated: readonly IsolatedLine[]): void {
  total.quarantined += isolated.length;
  for (const line of isolated) countReason(total.reasons, `${ISOLATED_FIELD}: ${isolatedReason(line.failure)}`, 1);
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
