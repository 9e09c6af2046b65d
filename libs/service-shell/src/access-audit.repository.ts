import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { CLICKHOUSE, TABLES } from '@kansa/storage';
import { randomUUID } from 'node:crypto';
import type { ApiClient } from './api-token';
import type { AuthedRequest } from './api-auth.guard';
import { jstTimestamp } from '@kansa/domain';

export interface AccessRecord {
  client: ApiClient;
  method: string;
  /** The route pattern, e.g. /api/events. */
  route: string;
  /** The path as asked, e.g. /api/findings/abc…. */
  path: string;
  query: Record<string, unknown>;
  purpose: string;
  remoteAddr: string;
}

export interface StoredAccessRecord {
  access_id: string;
  at: string;
  client: string;
  role: string;
  method: string;
  route: string;
  path: string;
  query: string;
  purpose: string;
  remote_addr: string;
}

/** api_access_log: who read personal data through the API, when, what and why. */
@Injectable()
export class AccessAuditRepository {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  /** Resolves once the record is stored: the read is answered only after that. */
  async record(r: AccessRecord): Promise<string> {
    const accessId = randomUUID();
    await this.client.insert({
      table: TABLES.apiAccessLog,
      values: [
        {
          access_id: accessId,
          at: jstTimestamp(Date.now()),
          client: r.client.name,
          role: r.client.role,
          method: r.method,
          route: r.route,
          path: r.path,
          query: JSON.stringify(r.query),
          purpose: r.purpose,
          remote_addr: r.remoteAddr,
        },
      ],
      format: 'JSONEachRow',
    });
    return accessId;
  }

  /** Records an API request of an authenticated client (route pattern, path, query, purpose). */
  recordRequest(req: AuthedRequest, purpose: string): Promise<string> {
    const params = req.params && Object.keys(req.params).length ? { params: req.params } : {};
    return this.record({
      client: req.apiClient ?? { name: '(unknown)', role: 'read' },
      method: req.method,
      route: (req.route as { path?: string } | undefined)?.path ?? req.path,
      path: req.originalUrl.split('?')[0],
      query: { ...(req.query as Record<string, unknown>), ...params },
      purpose,
      remoteAddr: req.socket?.remoteAddress ?? '',
    });
  }

  async list(limit = 1000): Promise<StoredAccessRecord[]> {
    const rs = await this.client.query({
      query: `SELECT * FROM ${TABLES.apiAccessLog} ORDER BY at DESC LIMIT {limit:UInt32}`,
      query_params: { limit },
      format: 'JSONEachRow',
    });
    return rs.json<StoredAccessRecord>();
  }
}
