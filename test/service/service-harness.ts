import { ClickHouseClient } from '@clickhouse/client';
import { INestApplication } from '@nestjs/common';
import { DeepPartial, KansaConfig, loadConfig } from '@kansa/config';
import { generateToken, hashToken, Permission, ServiceModule, startHttpService } from '@kansa/service-shell';
import { CLICKHOUSE } from '@kansa/storage';
import { analyzerServiceFeatures } from '@kansa/analyzer/main';
import { collectorServiceFeatures } from '@kansa/collector/main';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

export interface ServiceTokens {
  ingest: string;
  read: string;
  triage: string;
}

export interface TestService {
  url: string;
  app: INestApplication;
  client: ClickHouseClient;
  config: KansaConfig;
  dataDir: string;
  tokens: ServiceTokens;
  /** fetch against the service; `token` sets the Bearer header. */
  request(path: string, init?: RequestInit & { token?: string | null; json?: unknown }): Promise<Response>;
  rows<T = Record<string, unknown>>(query: string, params?: Record<string, unknown>): Promise<T[]>;
  /** Graceful close (as on SIGTERM); the data directory stays until the test file has run (a restart may reopen it). */
  close(): Promise<void>;
}

/**
 * The whole service (`kansa serve`, embedded mode: collector + analyzer in one
 * process) on 127.0.0.1 and a free port, with real embedded ClickHouse in a
 * fresh directory and three tokens, one per role.
 */
export async function startTestService(
  overrides: DeepPartial<KansaConfig> = {},
  dataDir?: string,
  /** The tokens of an earlier start (a restart with the same configuration of tokens). */
  sameTokens?: ServiceTokens,
): Promise<TestService> {
  const dir = dataDir ?? scratchDir('service');
  const tokens: ServiceTokens = sameTokens ?? { ingest: generateToken(), read: generateToken(), triage: generateToken() };
  const config = loadConfig({
    env: {},
    overrides: {
      ...overrides,
      storage: { ...(overrides.storage ?? {}), dataDir: dir, url: '' },
      analyzer: { catchUpOnStart: false, ...(overrides.analyzer ?? {}) },
      // The monthly job off unless a test turns it on: its 06:30 JST tick would make last month's report in the middle of a test.
      report: { autoMonthly: false, ...(overrides.report ?? {}) },
      // The refusal tests send an unknown token to every route: more than an address may fail per minute.
      auth: { maxFailuresPerAddressPerMinute: 10_000, ...(overrides.auth ?? {}) },
      http: {
        port: 0,
        host: '127.0.0.1',
        ...(overrides.http ?? {}),
        tokens: [
          { name: 'sender-1', role: 'ingest', sha256: hashToken(tokens.ingest) },
          { name: 'staff-read', role: 'read', sha256: hashToken(tokens.read) },
          { name: 'staff-triage', role: 'triage', sha256: hashToken(tokens.triage) },
          ...(overrides.http?.tokens ?? []),
        ],
      },
    } as DeepPartial<KansaConfig>,
  });
  const features = [...collectorServiceFeatures(config), ...analyzerServiceFeatures(config)];
  const service = await startHttpService(ServiceModule.forRoot(config, features), config, { logger: ['error'] });
  const client = service.app.get<ClickHouseClient>(CLICKHOUSE);
  return {
    url: service.url,
    app: service.app,
    client,
    config,
    dataDir: dir,
    tokens,
    request(path, init = {}) {
      const { token, json, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (token) headers.set('Authorization', `Bearer ${token}`);
      let body = rest.body;
      if (json !== undefined) {
        headers.set('Content-Type', 'application/json');
        body = JSON.stringify(json);
      }
      return fetch(service.url + path, { ...rest, headers, body });
    },
    async rows<T>(query: string, params: Record<string, unknown> = {}) {
      const rs = await client.query({ query, query_params: params, format: 'JSONEachRow' });
      return rs.json<T>();
    },
    async close() {
      await service.close();
    },
  };
}

/** One route of the OpenAPI document and the permission it declares (x-kansa-permission). */
export interface ApiOperation {
  method: string;
  path: string;
  permission: Permission | 'public';
}

/** Every operation the service's OpenAPI document lists. */
export async function apiOperations(svc: TestService): Promise<ApiOperation[]> {
  const res = await svc.request('/api/docs/openapi.json', { token: svc.tokens.read });
  if (res.status !== 200) throw new Error(`OpenAPI document: ${res.status}`);
  const doc = (await res.json()) as { paths: Record<string, Record<string, { 'x-kansa-permission': ApiOperation['permission'] }>> };
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, permission: op['x-kansa-permission'] })),
  );
}

/** A concrete URL for an OpenAPI path template (IDs that exist nowhere). */
export function concretePath(path: string): string {
  return path
    .replace('{source}', 'chukan')
    .replace('{id}', '0123456789abcdef0123456789abcdef')
    .replace('{eventId}', '0123456789abcdef0123456789abcdef')
    .replace('{month}', '2025-04')
    .replace('{format}', 'csv')
    .replace('{userId}', 'no-such-user');
}
