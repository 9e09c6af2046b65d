import { ClickHouseClient, createClient } from '@clickhouse/client';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { DirectoryHolder, holderOf, openedByThisProcess, recordedHolder } from './data-directory-lock';
import { StorageUnavailableError } from './storage-errors';

export interface StorageTarget {
  /** ClickHouse server URL; empty for the embedded engine. */
  url?: string;
  user?: string;
  password?: string;
  database?: string;
  /** Embedded (chDB) data directory. */
  dataDir?: string;
  /** With a server: how long a statement may run before the client gives up (storage.requestTimeoutSeconds). */
  requestTimeoutSeconds?: number;
}

/** The embedded data directory is held by another process (who, when its engine said so). */
export class DataDirectoryInUseError extends StorageUnavailableError {
  constructor(
    readonly dataDir: string,
    readonly holder: DirectoryHolder = {},
  ) {
    super(
      `data directory ${dataDir} is in use by another kansa process${describe(holder)}. ` +
        'In embedded mode one process owns the directory: run collector and analyzer together with `kansa serve`, ' +
        'stop the other process, or use a ClickHouse server (CLICKHOUSE_URL). ' +
        `(データディレクトリは別の kansa プロセス${holder.pid ? `（PID ${holder.pid}）` : ''}が使用中です)`,
    );
  }
}

function describe(holder: DirectoryHolder): string {
  const parts = [holder.pid ? `PID ${holder.pid}` : '', holder.startedAt ? `started ${holder.startedAt}` : ''].filter(Boolean);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

export function describeTarget(target: StorageTarget): string {
  return target.url
    ? `ClickHouse ${target.url} (database ${target.database ?? 'default'})`
    : `embedded ${resolve(target.dataDir ?? './data')}`;
}

/**
 * One code path for both modes: @clickhouse/client over HTTP to a server, or
 * over chDB's in-process connection to an embedded data directory.
 */
export async function openClickHouse(target: StorageTarget): Promise<ClickHouseClient> {
  if (target.url) {
    const bootstrap = createClient({ url: target.url, username: target.user, password: target.password });
    try {
      await bootstrap.command({ query: `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(target.database ?? 'kansa')}` });
    } catch (err) {
      throw new StorageUnavailableError(
        `cannot reach ClickHouse at ${target.url}: ${(err as Error).message} (ClickHouse に接続できません)`,
      );
    } finally {
      await bootstrap.close();
    }
    return createClient({
      url: target.url,
      username: target.user,
      password: target.password,
      database: target.database ?? 'kansa',
      // The client's own default, 30 s, is shorter than a designated city's month takes to verify (~60 s), compact or
      // analyse the first time; a statement cut off so would fail the same way at every retry.
      ...(target.requestTimeoutSeconds ? { request_timeout: target.requestTimeoutSeconds * 1000 } : {}),
      clickhouse_settings: {
        date_time_output_format: 'simple',
        // A long statement keeps its connection alive through proxies and load balancers (they close idle ones).
        send_progress_in_http_headers: 1,
        http_headers_progress_interval_ms: '60000',
      },
    });
  }
  const dataDir = resolve(target.dataDir ?? './data');
  // Owner-only: the directory holds personal data (the files inside follow the process's umask, 077 under `kansa`).
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // Another process holding the directory is told before the engine is loaded (and prints its own error).
  const holder = holderOf(dataDir);
  if (holder) throw new DataDirectoryInUseError(dataDir, holder);
  // chdb is loaded lazily: server deployments never load the embedded engine.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only in embedded mode (see above)
  const { createChdbConnection } = require('chdb/connection') as typeof import('chdb/connection');
  let client: ClickHouseClient;
  try {
    client = createClient({ connection: createChdbConnection({ path: dataDir }) } as Parameters<typeof createClient>[0]);
    await client.query({ query: 'SELECT 1', format: 'JSONEachRow' }).then((r) => r.json());
    openedByThisProcess(dataDir);
  } catch (err) {
    if (isLockError(err)) throw new DataDirectoryInUseError(dataDir, recordedHolder(dataDir));
    throw new StorageUnavailableError(
      `cannot open embedded ClickHouse at ${dataDir}: ${(err as Error).message} (データディレクトリを開けません)`,
    );
  }
  return client;
}

function isLockError(err: unknown): boolean {
  const text = `${(err as Error)?.message ?? ''} ${String((err as { cause?: unknown })?.cause ?? '')}`;
  return /Cannot lock file|already running|Failed to create connection/i.test(text);
}

export function quoteIdentifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`invalid identifier: ${name}`);
  return name;
}
