import { ClickHouseClient, ClickHouseSettings } from '@clickhouse/client';
import { KansaConfig, loadConfig } from '@kansa/config';
import { openStorage } from '@kansa/storage';
import { scratchDir } from './scratch-dir';

export interface TestStore {
  client: ClickHouseClient;
  config: KansaConfig;
  dataDir: string;
  /** Rows of a query as objects (with these engine settings for this query only, if any). */
  rows<T = Record<string, unknown>>(query: string, params?: Record<string, unknown>, settings?: ClickHouseSettings): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * A fresh embedded ClickHouse (real chDB) in its own temporary directory,
 * migrated. One per test file: chDB allows one open data directory per process,
 * so call close() in afterAll.
 */
export async function openTestStore(overrides: Partial<KansaConfig> = {}): Promise<TestStore> {
  const dataDir = scratchDir('test');
  const config = loadConfig({
    env: {},
    overrides: { ...overrides, storage: { ...(overrides.storage ?? {}), dataDir, url: '' } },
  });
  const client = await openStorage(config);
  return {
    client,
    config,
    dataDir,
    async rows<T>(query: string, params: Record<string, unknown> = {}, settings?: ClickHouseSettings) {
      const rs = await client.query({ query: withSettings(query, settings), query_params: params, format: 'JSONEachRow' });
      return rs.json<T>();
    },
    async close() {
      await client.close();
    },
  };
}

/**
 * The query with a SETTINGS clause of its own: the embedded engine's connection turns `clickhouse_settings` into
 * session-wide SETs, which would hold for every later query of the test file (findings.repository.ts says the same).
 */
export function withSettings(query: string, settings?: ClickHouseSettings): string {
  const entries = Object.entries(settings ?? {}).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return query;
  const literal = (v: unknown) =>
    typeof v === 'boolean' ? Number(v) : /^-?\d+(\.\d+)?$/.test(String(v)) ? String(v) : `'${String(v).replace(/'/g, "''")}'`;
  const values = entries.map(([k, v]) => `${k} = ${literal(v)}`);
  return `${query} SETTINGS ${values.join(', ')}`;
}
