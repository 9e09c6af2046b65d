import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { CLICKHOUSE, TABLES } from '@kansa/storage';
import { randomUUID } from 'node:crypto';
import type { Request } from 'express';
import { AuditKind, jstTimestamp } from '@kansa/domain';
export { AUDIT_KIND_TITLES, AUDIT_KINDS } from '@kansa/domain';
export type { AuditKind } from '@kansa/domain';
import type { ApiClient } from './api-token';

/** Who did it: an API token, a person (console), or the command line (`cli`, the OS user). */
export type AuditActor = Pick<ApiClient, 'name' | 'kind'> & { role: string };

export interface AuditEntry {
  kind: AuditKind;
  actor: AuditActor;
  outcome?: 'ok' | 'refused' | 'failed';
  method?: string;
  /** The route pattern, e.g. /api/events. */
  route?: string;
  /** The path as asked, e.g. /api/findings/abc…. */
  path?: string;
  query?: Record<string, unknown>;
  purpose?: string;
  /** 開示請求 reference number given with a search. */
  reference?: string;
  /** What was done, as data (shown in the console, exported in the monthly report). */
  detail?: Record<string, unknown>;
  /** The client (X-Forwarded-For of a trusted proxy, or the peer). */
  remoteAddr?: string;
  peerAddr?: string;
  userAgent?: string;
}

export interface StoredAccessRecord {
  access_id: string;
  at: string;
  kind: AuditKind;
  actor_kind: string;
  client: string;
  role: string;
  outcome: string;
  method: string;
  route: string;
  path: string;
  query: string;
  purpose: string;
  reference: string;
  detail: string;
  remote_addr: string;
  peer_addr: string;
  user_agent: string;
}

export interface AuditFilter {
  from?: string;
  to?: string;
  kinds?: readonly string[];
  actor?: string;
  offset?: number;
  limit?: number;
}

/** Where a request came from: the client as Express resolved it (trusted proxies only) and the peer itself. */
export function requestOrigin(req: Request): Pick<AuditEntry, 'remoteAddr' | 'peerAddr' | 'userAgent'> {
  const peer = req.socket?.remoteAddress ?? '';
  return { remoteAddr: req.ip ?? peer, peerAddr: peer, userAgent: String(req.headers['user-agent'] ?? '').slice(0, 300) };
}

/**
 * The audit log (table api_access_log): who used kansa, when, from where, what
 * and why. A read of personal data is answered only after its record is stored.
 */
@Injectable()
export class AccessAuditRepository {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  /** Resolves once the record is stored. */
  async record(e: AuditEntry): Promise<string> {
    const accessId = randomUUID();
    await this.client.insert({
      table: TABLES.apiAccessLog,
      values: [
        {
          access_id: accessId,
          at: jstTimestamp(Date.now()),
          kind: e.kind,
          actor_kind: e.actor.kind,
          client: e.actor.name,
          role: e.actor.role,
          outcome: e.outcome ?? 'ok',
          method: e.method ?? '',
          route: e.route ?? '',
          path: e.path ?? '',
          query: e.query ? JSON.stringify(e.query) : '',
          purpose: e.purpose ?? '',
          reference: e.reference ?? '',
          detail: e.detail ? JSON.stringify(e.detail) : '',
          remote_addr: e.remoteAddr ?? '',
          peer_addr: e.peerAddr ?? '',
          user_agent: e.userAgent ?? '',
        },
      ],
      format: 'JSONEachRow',
    });
    return accessId;
  }

  /** Records a request of an authenticated client (route pattern, path, query, purpose): a read unless told otherwise. */
  recordRequest(req: Request & { apiClient?: ApiClient }, purpose: string, extra: Partial<AuditEntry> = {}): Promise<string> {
    const params = req.params && Object.keys(req.params).length ? { params: req.params } : {};
    const { purpose: _p, reference, ...query } = req.query as Record<string, unknown>;
    return this.record({
      kind: 'read',
      actor: req.apiClient ?? { name: '(unknown)', role: 'read', kind: 'token' },
      method: req.method,
      route: (req.route as { path?: string } | undefined)?.path ?? req.path,
      path: req.originalUrl.split('?')[0],
      query: { ...query, ...params },
      purpose,
      reference: typeof reference === 'string' ? reference : '',
      ...requestOrigin(req),
      ...extra,
    });
  }

  /** Records of the filter, newest first, and how many there are in all. */
  async list(filter: AuditFilter = {}): Promise<{ total: number; rows: StoredAccessRecord[] }> {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: filter.limit ?? 1000, offset: filter.offset ?? 0 };
    if (filter.from) {
      where.push("at >= toDateTime64({from:Date}, 3, 'Asia/Tokyo')");
      params.from = filter.from;
    }
    if (filter.to) {
      where.push("at < toDateTime64({to:Date} + 1, 3, 'Asia/Tokyo')");
      params.to = filter.to;
    }
    if (filter.kinds?.length) {
      where.push('kind IN {kinds:Array(String)}');
      params.kinds = filter.kinds;
    }
    if (filter.actor) {
      where.push('client = {actor:String}');
      params.actor = filter.actor;
    }
    const rs = await this.client.query({
      query: `SELECT *, count() OVER () AS total FROM ${TABLES.apiAccessLog}
              ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
              ORDER BY at DESC, access_id LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
      query_params: params,
      format: 'JSONEachRow',
    });
    const rows = await rs.json<StoredAccessRecord & { total: string }>();
    return { total: rows.length ? Number(rows[0].total) : 0, rows: rows.map(({ total: _t, ...r }) => r) };
  }

  /** The latest log-in outcomes of an account name (for the lockout), newest first. */
  async loginOutcomes(name: string, sinceMs: number): Promise<Array<{ kind: AuditKind; at: string; detail: string }>> {
    const rs = await this.client.query({
      query: `SELECT kind, toString(at) AS at_text, detail FROM ${TABLES.apiAccessLog}
              WHERE kind IN ('login', 'login_failure') AND client = {name:String} AND at >= {since:DateTime64(3, 'Asia/Tokyo')}
              ORDER BY at DESC LIMIT 100`,
      query_params: { name, since: jstTimestamp(sinceMs) },
      format: 'JSONEachRow',
    });
    return (await rs.json<{ kind: AuditKind; at_text: string; detail: string }>()).map((r) => ({
      kind: r.kind,
      at: r.at_text,
      detail: r.detail,
    }));
  }

  /** Uses of kansa in a month, by kind and outcome (the monthly report's section "kansa 自体の利用状況"). */
  async monthSummary(fromDay: string, toDay: string): Promise<Array<{ kind: AuditKind; outcome: string; n: number; people: number }>> {
    const rs = await this.client.query({
      query: `SELECT kind, outcome, count() AS n, uniqExact(client) AS people FROM ${TABLES.apiAccessLog}
              WHERE at >= toDateTime64({from:Date}, 3, 'Asia/Tokyo') AND at < toDateTime64({to:Date} + 1, 3, 'Asia/Tokyo')
              GROUP BY kind, outcome ORDER BY kind, outcome`,
      query_params: { from: fromDay, to: toDay },
      format: 'JSONEachRow',
    });
    return (await rs.json<{ kind: AuditKind; outcome: string; n: string; people: string }>()).map((r) => ({
      ...r,
      n: Number(r.n),
      people: Number(r.people),
    }));
  }
}
