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
        query: `SELECT any(user_id) AS s_user, any(csrf_token) AS s_csrf, toString(min(created_at)) AS s_created,
                       toString(max(last_seen_at)) AS s_seen, toString(min(ended_at)) AS s_ended,
                       argMinIf(end_reason, ended_at, ended_at IS NOT NULL) AS s_reason,
                       any(remote_addr) AS s_addr, any(user_agent) AS s_agent, count() AS n
                FROM ${TABLES.sessions} WHERE session_hash = {h:FixedString(64)}`,
        query_params: { h: sessionHash },
        format: 'JSONEachRow',
      })
    ).json<{
      s_user: string;
      s_csrf: string;
      s_created: string;
      s_seen: string;
      s_ended: string | null;
      s_reason: string;
      s_addr: string;
      s_agent: string;
      n: string;
    }>();
    if (!row || Number(row.n) === 0) return null;
    return {
      sessionHash,
      userId: row.s_user,
      csrfToken: row.s_csrf,
      createdAt: row.s_created,
      lastSeenAt: row.s_seen,
      endedAt: row.s_ended,
      endReason: row.s_reason,
      remoteAddr: row.s_addr,
      userAgent: row.s_agent,
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
