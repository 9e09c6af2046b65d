import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { CLICKHOUSE, storageCall, TABLES } from '@kansa/storage';
import { jstTimestamp } from '@kansa/domain';
import type { CommitIntent } from './commit-intent';

export type SetAsideState = 'set_aside' | 'replayed' | 'discarded';

/** A batch whose commit storage refused for good: nothing of it is stored until it is replayed. */
export interface SetAsideBatch {
  batchId: string;
  source: string;
  instance: string;
  transport: string;
  origin: string;
  writer: string;
  /** Lines of the batch (its events and the lines quarantined with it). */
  lines: number;
  state: SetAsideState;
  /** Why, in the engine's words (the latest attempt). */
  reason: string;
  errorCode: string;
  /** Commit attempts so far (including replays). */
  attempts: number;
  setAsideAt: string;
  updatedAt: string;
  updatedBy: string;
  note: string;
  /** What a replay needs: the commit intent as it was written. */
  intent: CommitIntent;
}

/**
 * `set_aside_batches`: the record of every batch set aside and what became
 * of it (replayed, discarded), newest row per batch. The staged rows
 * themselves are kept by the staging store.
 */
@Injectable()
export class SetAsideRepository {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  async record(batch: Omit<SetAsideBatch, 'setAsideAt' | 'updatedAt'> & { setAsideAt?: string }): Promise<void> {
    const now = jstTimestamp(Date.now());
    await storageCall(() =>
      this.client.insert({
        table: TABLES.setAsideBatches,
        format: 'JSONEachRow',
        values: [
          {
            batch_id: batch.batchId,
            source: batch.source,
            instance: batch.instance,
            transport: batch.transport,
            origin: batch.origin,
            writer: batch.writer,
            lines: batch.lines,
            state: batch.state,
            reason: batch.reason,
            error_code: batch.errorCode,
            attempts: batch.attempts,
            intent: JSON.stringify(batch.intent),
            set_aside_at: batch.setAsideAt ?? now,
            updated_at: now,
            updated_by: batch.updatedBy,
            note: batch.note,
          },
        ],
        // No per-query settings: the embedded engine's connection would make them the whole
        // session's. (Each state change has its own updated_at, so no insert deduplication can drop it.)
      }),
    );
  }

  /** Batches in a state (all when none), newest first. */
  async list(state?: SetAsideState): Promise<SetAsideBatch[]> {
    return this.select(state ? 'WHERE state = {state:String}' : '', { state: state ?? '' });
  }

  async get(batchId: string): Promise<SetAsideBatch | undefined> {
    return (await this.select('WHERE batch_id = {id:String}', { id: batchId }))[0];
  }

  private async select(where: string, params: Record<string, unknown>): Promise<SetAsideBatch[]> {
    const rs = await storageCall(() =>
      this.client.query({
        // ReplacingMergeTree(updated_at): FINAL reads the newest row of each batch.
        query: `SELECT batch_id, source, instance, transport, origin, writer, lines, toString(state) AS state, reason, error_code,
            attempts, intent, set_aside_at, updated_at, updated_by, note
          FROM ${TABLES.setAsideBatches} FINAL ${where} ORDER BY set_aside_at DESC, batch_id`,
        query_params: params,
        format: 'JSONEachRow',
      }),
    );
    const rows = await rs.json<Record<string, string>>();
    return rows.map((r) => ({
      batchId: r.batch_id,
      source: r.source,
      instance: r.instance,
      transport: r.transport,
      origin: r.origin,
      writer: r.writer,
      lines: Number(r.lines),
      state: r.state as SetAsideState,
      reason: r.reason,
      errorCode: r.error_code,
      attempts: Number(r.attempts),
      intent: JSON.parse(r.intent) as CommitIntent,
      setAsideAt: r.set_aside_at,
      updatedAt: r.updated_at,
      updatedBy: r.updated_by,
      note: r.note,
    }));
  }
}
