import { ClickHouseClient } from '@clickhouse/client';
import { INGEST_STAGING_PREFIX, quoteIdentifier, StorageUnavailableError, TABLES } from '@kansa/storage';
import { Readable } from 'node:stream';
import { QUARANTINE_COLUMNS, STAGING_COLUMNS } from '../pipeline/record-processor';

/**
 * A batch's rows wait in their own staging tables (compressed, on disk, so a
 * file of several GB keeps memory flat) until the batch is complete; then one
 * INSERT … SELECT moves the new events into `events` (duplicates within the
 * batch and against stored events are left out) and the quarantined lines into
 * `quarantine`. A batch that fails midway stores nothing.
 *
 * event_id = hex of the first 16 bytes of SHA-256(source \0 instance \0 key),
 * key = the source's own ID (chukan serial, canonical sourceEventId) or else
 * the stored (masked) raw line; computed by ClickHouse while moving the rows.
 */
export class StagingBatch {
  private readonly events: string;
  private readonly quarantine: string;

  constructor(private readonly client: ClickHouseClient, batchId: string) {
    this.events = quoteIdentifier(INGEST_STAGING_PREFIX + batchId);
    this.quarantine = quoteIdentifier(INGEST_STAGING_PREFIX + 'q_' + batchId);
  }

  async create(): Promise<void> {
    await run(() =>
      this.client.command({
        query: `CREATE TABLE ${this.events} (
          ts_ms Int64, source String, instance String, user_id String, user_name String, department_code String,
          terminal_id String, client_ip String, action String, screen_id String, business_code String,
          subject_id String, my_number_shown Bool, record_count UInt32, reason String, outcome String, object String,
          source_event_id String, raw String, my_number_hmacs Array(String), batch_id String, line_no UInt64,
          identity_key String) ENGINE = Log`,
      }),
    );
    await run(() =>
      this.client.command({
        query: `CREATE TABLE ${this.quarantine} AS ${TABLES.quarantine} ENGINE = Log`,
      }),
    );
  }

  appendEvents(rows: string): Promise<void> {
    return this.insert(this.events, STAGING_COLUMNS, rows);
  }

  appendQuarantine(rows: string): Promise<void> {
    return this.insert(this.quarantine, QUARANTINE_COLUMNS, rows);
  }

  /** Moves the batch into events and quarantine; returns how many events were new. */
  async commit(batchId: string): Promise<{ staged: number; stored: number }> {
    const staged = await this.count(`SELECT count() AS n FROM ${this.events}`);
    await run(() =>
      this.client.command({
        query: `INSERT INTO ${TABLES.events} (event_id, ts, source, instance, user_id, user_name, department_code,
            terminal_id, client_ip, action, screen_id, business_code, subject_id, my_number_shown, record_count,
            reason, outcome, object, source_event_id, raw, my_number_hmacs, batch_id, line_no)
          SELECT event_id, fromUnixTimestamp64Milli(ts_ms, 'Asia/Tokyo'), source, instance, user_id, user_name,
            department_code, terminal_id, client_ip, action, screen_id, business_code, subject_id, my_number_shown,
            record_count, reason, outcome, object, source_event_id, raw, my_number_hmacs, batch_id, line_no
          FROM (
            SELECT lower(hex(substring(SHA256(concat(source, '\\0', instance, '\\0',
                     if(identity_key = '', raw, identity_key))), 1, 16))) AS event_id, *
            FROM ${this.events}
          )
          WHERE event_id NOT IN (
            SELECT event_id FROM ${TABLES.events}
            WHERE source IN (SELECT DISTINCT source FROM ${this.events})
              AND day IN (SELECT DISTINCT toDate(fromUnixTimestamp64Milli(ts_ms, 'Asia/Tokyo'), 'Asia/Tokyo') FROM ${this.events})
          )
          ORDER BY line_no
          LIMIT 1 BY event_id`,
      }),
    );
    await run(() => this.client.command({ query: `INSERT INTO ${TABLES.quarantine} SELECT * FROM ${this.quarantine}` }));
    const stored = await this.count(`SELECT count() AS n FROM ${TABLES.events} WHERE batch_id = {batch:String}`, { batch: batchId });
    return { staged, stored };
  }

  async drop(): Promise<void> {
    await run(() => this.client.command({ query: `DROP TABLE IF EXISTS ${this.events}` }));
    await run(() => this.client.command({ query: `DROP TABLE IF EXISTS ${this.quarantine}` }));
  }

  private async insert(table: string, columns: readonly string[], rows: string): Promise<void> {
    if (rows.length === 0) return;
    await run(() =>
      this.client.insert({ table, values: Readable.from([Buffer.from(rows)], { objectMode: false }), format: 'TabSeparated', columns: [...columns] as [string, ...string[]] }),
    );
  }

  private async count(query: string, params: Record<string, unknown> = {}): Promise<number> {
    const rs = await run(() => this.client.query({ query, query_params: params, format: 'JSONEachRow' }));
    const [row] = await rs.json<{ n: string }>();
    return Number(row.n);
  }
}

/** Storage errors are infrastructure errors: StorageUnavailableError, never quarantine. */
async function run<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof StorageUnavailableError) throw err;
    throw new StorageUnavailableError(`ClickHouse: ${(err as Error).message}`);
  }
}
