import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { CLICKHOUSE, openClickHouse, processWriter } from '@kansa/storage';
import { join, resolve } from 'node:path';
import { CommitIntent, FileIntentStore, IntentStore, openStagingDir, SET_ASIDE_DIR, STAGING_DIR, TableIntentStore } from './commit-intent';
import { dropHeldLines, LeanSource, StagingBatch, STAGING_FORMAT } from './staging.writer';

/** Where a batch's staged rows are: waiting for their commit, or kept for a replay. */
export type StagingPlace = 'staging' | 'set-aside';

/**
 * Where batches wait for their commit, and what a process left there: with
 * the embedded engine the data directory's staging folder (staged files,
 * commit intents, the set-aside folder), with a ClickHouse server its
 * staging tables and `commit_intents`. Opened once per process
 * (onModuleInit): the leftovers of a process that died are cleared or handed
 * over as pending intents.
 */
@Injectable()
export class StagingStore implements OnModuleInit, OnModuleDestroy {
  /** Embedded engine: the staging folder; undefined with a server. */
  readonly dir: string | undefined;
  readonly intents: IntentStore;
  /**
   * This process's chains (one per source): '' with the embedded engine (one
   * writer); with a server, storage.writer or host:pid, so collectors that
   * write at once never share a chain.
   */
  readonly writer: string;
  private readonly dataDir: string;
  private leftover: CommitIntent[] = [];
  private checking?: Promise<ClickHouseClient>;

  constructor(
    @Inject(CLICKHOUSE) readonly client: ClickHouseClient,
    @Inject(KANSA_CONFIG) config: KansaConfig,
  ) {
    this.dataDir = resolve(config.storage.dataDir);
    this.writer = processWriter(config.storage);
    this.dir = config.storage.url ? undefined : join(this.dataDir, STAGING_DIR);
    this.intents = this.dir ? new FileIntentStore(this.dir) : new TableIntentStore(client, this.writer);
  }

  /** Clears what a process that died left of batches not yet committing; keeps the commits it left pending. */
  async onModuleInit(): Promise<void> {
    if (this.dir) {
      this.leftover = openStagingDir(this.dataDir).intents;
      await dropHeldLines(this.client);
    } else {
      this.leftover = await (this.intents as TableIntentStore).pending();
    }
  }

  /** The commit intents left pending by an earlier process (handed over once). */
  takeLeftoverIntents(): CommitIntent[] {
    const intents = this.leftover;
    this.leftover = [];
    return intents;
  }

  /** A batch's staging, in a place; `lean` when ClickHouse normalizes its plain lines; `format` for batches staged by older versions. */
  batch(batchId: string, lean: LeanSource | undefined, place: StagingPlace = 'staging', format = STAGING_FORMAT): StagingBatch {
    return new StagingBatch(this.client, batchId, this.folder(place), lean, format);
  }

  /** Moves a batch's staged rows to a place (embedded staging files; a server's staging tables stay where they are). */
  async move(staging: StagingBatch, place: StagingPlace): Promise<void> {
    const folder = this.folder(place);
    if (folder) await staging.moveTo(folder);
  }

  /**
   * The connection batches' plain lines are checked on (the SQL twin): with
   * the embedded engine a second one, opened once, so that a batch is checked
   * while another commits — the next batch of a long file, another Kafka
   * partition's, another HTTP sender's (the engine runs one query at a time
   * per connection; a server takes concurrent requests on one client).
   * Measured with Kafka: the twin's check was ~45% of the engine's time a
   * batch, and with one connection the two partitions' batches waited for
   * each other.
   */
  checker(): Promise<ClickHouseClient> {
    if (!this.dir) return Promise.resolve(this.client);
    if (!this.checking) {
      const opening = openClickHouse({ dataDir: this.dataDir });
      opening.catch(() => {
        if (this.checking === opening) this.checking = undefined; // tried again by the next batch
      });
      this.checking = opening;
    }
    return this.checking;
  }

  async onModuleDestroy(): Promise<void> {
    const checking = this.checking;
    this.checking = undefined;
    const client = await checking?.catch(() => undefined);
    if (client && client !== this.client) await client.close();
  }

  private folder(place: StagingPlace): string | undefined {
    if (!this.dir) return undefined;
    return place === 'staging' ? this.dir : join(this.dir, SET_ASIDE_DIR);
  }
}
