import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { CLICKHOUSE, openClickHouse, processWriter } from '@kansa/storage';
import { join, resolve } from 'node:path';
import { CommitIntent, FileIntentStore, IntentStore, openStagingDir, SET_ASIDE_DIR, STAGING_DIR, TableIntentStore } from './commit-intent';
import { dropHeldRows, LeanSource, StagingBatch, STAGING_FORMAT } from './staging.writer';

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
export class StagingStore implements OnModuleInit {
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
      await dropHeldRows(this.client);
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
   * A second connection for the SQL twin's checks, so that a batch is
   * checked while the previous one commits (the embedded engine runs one
   * query at a time per connection; a server takes concurrent requests on
   * one client). Close it with releaseAuxiliary().
   */
  openAuxiliary(): Promise<ClickHouseClient> {
    return this.dir ? openClickHouse({ dataDir: this.dataDir }) : Promise.resolve(this.client);
  }

  async releaseAuxiliary(client: ClickHouseClient | undefined): Promise<void> {
    if (client && client !== this.client) await client.close();
  }

  private folder(place: StagingPlace): string | undefined {
    if (!this.dir) return undefined;
    return place === 'staging' ? this.dir : join(this.dir, SET_ASIDE_DIR);
  }
}
