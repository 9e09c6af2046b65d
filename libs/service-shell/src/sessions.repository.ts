import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { CLICKHOUSE, TABLES } from '@kansa/storage';

/** A console session as stored: the latest row of its hash. */
export interface SessionRecord {
  sessionHash: string;
  userId: string;
  csrfToken: string;
  createdAt: string;
  lastSeenAt: string;
  endedAt: string | null;
  endReason: string;
  remoteAddr: string;
  userAgent: string;
}

/** `sessions`: one row per change of a session (created, used, ended); the latest counts. */
@Injectable()
export class SessionsRepository {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  async save(s: SessionRecord): Promise<void> {
    await this.client.insert({
      table: TABLES.sessions,
      format: 'JSONEachRow',
      values: [
        {
          session_hash: s.sessionHash,
          user_id: s.userId,
          csrf_token: s.csrfToken,
          created_at: s.createdAt,
          last_seen_at: s.lastSeenAt,
          ended_at: s.endedAt,
          end_reason: s.endReason,
          remote_addr: s.remoteAddr,
          user_agent: s.userAgent,
        },
      ],
    });
  }

  async get(sessionHash: string): Promise<SessionRecord | null> {
    if (!/^[0-9a-f]{64}$/.test(sessionHash)) return null;
    const [row] = await (
      await this.client.query({
        // Ended once ended: a use recorded by another process after the log-out never reopens it.
        query: `SELECT any(user_id) AS user_id, any(csrf_token) AS csrf_token, min(created_at) AS created_at,
                       max(last_seen_at) AS last_seen_at, min(ended_at) AS ended_at,
                       argMinIf(end_reason, ended_at, ended_at IS NOT NULL) AS end_reason,
                       any(remote_addr) AS remote_addr, any(user_agent) AS user_agent, count() AS n
                FROM ${TABLES.sessions} WHERE session_hash = {h:FixedString(64)}`,
        query_params: { h: sessionHash },
        format: 'JSONEachRow',
      })
    ).json<{
      user_id: string;
      csrf_token: string;
      created_at: string;
      last_seen_at: string;
      ended_at: string | null;
      end_reason: string;
      remote_addr: string;
      user_agent: string;
      n: string;
    }>();
    if (!row || Number(row.n) === 0) return null;
    return {
      sessionHash,
      userId: row.user_id,
      csrfToken: row.csrf_token,
      createdAt: row.created_at,
      lastSeenAt: row.last_seen_at,
      endedAt: row.ended_at,
      endReason: row.end_reason,
      remoteAddr: row.remote_addr,
      userAgent: row.user_agent,
    };
  }

  /** Open sessions of a user (to end them when the account is disabled or its password reset). */
  async openOf(userId: string): Promise<SessionRecord[]> {
    const rows = await (
      await this.client.query({
        query: `SELECT session_hash FROM ${TABLES.sessions} WHERE user_id = {userId:String}
                GROUP BY session_hash HAVING countIf(ended_at IS NOT NULL) = 0`,
        query_params: { userId },
        format: 'JSONEachRow',
      })
    ).json<{ session_hash: string }>();
    const out: SessionRecord[] = [];
    for (const r of rows) {
      const s = await this.get(r.session_hash);
      if (s && !s.endedAt) out.push(s);
    }
    return out;
  }
}
