import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { CLICKHOUSE } from '@kansa/storage';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BatchLedgerRepository } from '../integrity/batch-ledger.repository';
import { chainHash, GENESIS } from '../integrity/chain';
import { prepareStagingDir, StagingBatch } from '../sink/staging.writer';
import { buildSourceSystems } from '../source-systems/source-system.registry';
import { SourceConfigError, SourceSystem } from '../source-systems/shared/source-system';
import { IngestCounts, IngestRequest, IngestResult, IngestServicePort, RawRecord } from './ingest.types';
import { RecordProcessor } from './record-processor';

/** The request names a source that is not configured. */
export class UnknownSourceError extends Error {}

export interface IngestOptions {
  /** SHA-256 of the file as received (files only), known once the records are read. */
  fileSha256?: () => string;
  /** Called after each chunk with the counts so far (progress bars). */
  onProgress?: (counts: IngestCounts) => void;
}

/** Rows sent to ClickHouse per insert into the staging table. */
const FLUSH_ROWS = 50_000;
const CHUNK = 5_000;

/**
 * The one ingest pipeline for every transport (files, Kafka, HTTP):
 * decode → mask → parse/validate → normalize → identify (RecordProcessor,
 * synchronous per record) → stage → commit (dedup into events, quarantine) →
 * record the batch in the integrity chain. Resolves only when everything
 * accepted is stored; always read = stored + duplicates + quarantined.
 */
@Injectable()
export class IngestService implements IngestServicePort {
  private readonly systems: Map<string, SourceSystem>;
  private readonly ledger: BatchLedgerRepository;
  private readonly hmacKey: string;
  /** Embedded engine: where batches wait before the commit. */
  private readonly stagingDir: string | undefined;
  /** Commits run one at a time: duplicate detection and chain order need it. */
  private commitQueue: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(CLICKHOUSE) private readonly client: ClickHouseClient,
    @Inject(KANSA_CONFIG) config: KansaConfig,
  ) {
    this.systems = buildSourceSystems(config.sources);
    this.ledger = new BatchLedgerRepository(client);
    this.stagingDir = config.storage.url ? undefined : prepareStagingDir(resolve(config.storage.dataDir));
    this.hmacKey = config.privacy.hmacKey || readKeyFile(config.privacy.hmacKeyFile);
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
    const batchId = randomUUID().replace(/-/g, '');
    const startedAtMs = Date.now();
    const instance = request.instance ?? '';
    const processor = new RecordProcessor(
      system,
      { batchId, source: request.source, instance, origin: request.origin, expectHeader: request.transport === 'file' },
      this.hmacKey,
    );
    const counts: IngestCounts = { read: 0, stored: 0, duplicates: 0, quarantined: 0, reasons: {} };
    const staging = new StagingBatch(this.client, batchId, this.stagingDir);
    await staging.create();
    try {
      let events: string[] = [];
      let quarantined: string[] = [];
      let staged = 0;
      const sources = new Set<string>();
      const days = new Set<number>();
      for await (const chunk of chunks) {
        for (const record of chunk) {
          const p = processor.process(record);
          if (p.kind === 'event') {
            events.push(p.row);
            sources.add(p.source);
            days.add(p.jstDay);
            staged++;
            counts.read++;
          } else if (p.kind === 'quarantine') {
            quarantined.push(p.row);
            counts.read++;
            counts.quarantined++;
            counts.reasons[p.reason] = (counts.reasons[p.reason] ?? 0) + 1;
          }
        }
        if (events.length >= FLUSH_ROWS) {
          await staging.appendEvents(events.join(''));
          events = [];
        }
        if (quarantined.length >= FLUSH_ROWS / 10) {
          await staging.appendQuarantine(quarantined.join(''));
          quarantined = [];
        }
        options.onProgress?.(counts);
      }
      await staging.appendEvents(events.join(''));
      await staging.appendQuarantine(quarantined.join(''));
      await this.serially(async () => {
        const stored = await staging.commit(batchId, {
          sources: [...sources],
          days: [...days].map((d) => new Date(d * 86_400_000).toISOString().slice(0, 10)),
        });
        counts.stored = stored;
        counts.duplicates = staged - stored;
        const prev = await this.ledger.last(request.source);
        const digest = (await this.ledger.contentDigests([batchId])).get(batchId) ?? '';
        const record = {
          batchId,
          seq: (prev?.seq ?? 0) + 1,
          source: request.source,
          instance,
          transport: request.transport,
          origin: request.origin,
          fileSha256: options.fileSha256?.() ?? '',
          linesRead: counts.read,
          stored: counts.stored,
          duplicates: counts.duplicates,
          quarantined: counts.quarantined,
          contentDigest: digest,
          prevChain: prev?.chainHash ?? GENESIS,
          startedAtMs,
          finishedAtMs: Date.now(),
        };
        await this.ledger.insert({ ...record, chainHash: chainHash(record) });
      });
    } finally {
      await staging.drop();
    }
    options.onProgress?.(counts);
    return { ...counts, batchId };
  }

  private serially<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.commitQueue.then(fn, fn);
    this.commitQueue = run.catch(() => undefined);
    return run;
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
