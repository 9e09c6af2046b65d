import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { CLICKHOUSE, TABLES } from '@kansa/storage';
import { jstTimestamp, type Severity } from '@kansa/domain';

export type AlertChannelName = 'email' | 'webhook';
export type DeliveryStatus = 'sent' | 'failed' | 'abandoned';

export interface DeliveryRow {
  findingId: string;
  channel: AlertChannelName;
  attempt: number;
  status: DeliveryStatus;
  /** JST 'YYYY-MM-DD HH:mm:ss.SSS'. */
  at: string;
  nextAttemptAt: string | null;
  messageId: string;
  digest: boolean;
  rule: string;
  severity: string;
  recipients: string;
  subject: string;
  error: string;
}

/** Where a finding stands on a channel: its last delivery row, if any. */
export interface DeliveryState {
  findingId: string;
  attempts: number;
  status: DeliveryStatus;
  nextAttemptAt: string | null;
}

/**
 * What becomes of an attempt (the `attempt`-th): sent; failed, to be tried
 * again after a delay doubling from initialDelaySeconds up to maxDelaySeconds;
 * or abandoned after maxAttempts.
 */
export function attemptOutcome(
  retry: { initialDelaySeconds: number; maxDelaySeconds: number; maxAttempts: number },
  attempt: number,
  error: string,
  nowMs: number,
): { status: DeliveryStatus; nextAttemptAt: string | null } {
  if (!error) return { status: 'sent', nextAttemptAt: null };
  if (attempt >= retry.maxAttempts) return { status: 'abandoned', nextAttemptAt: null };
  const delay = Math.min(retry.initialDelaySeconds * 2 ** (attempt - 1), retry.maxDelaySeconds) * 1000;
  return { status: 'failed', nextAttemptAt: jstTimestamp(nowMs + delay) };
}

/** Findings that may need an alert: severe enough and detected recently. */
export interface AlertCandidate {
  findingId: string;
  severity: Severity;
}

/** alert_deliveries: every attempt to send a finding's alert, and the findings due for one. */
@Injectable()
export class AlertDeliveriesRepository {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  async candidates(severities: readonly Severity[], detectedSince: string): Promise<AlertCandidate[]> {
    const rs = await this.client.query({
      query: `SELECT finding_id AS findingId, severity FROM ${TABLES.findings} FINAL
              WHERE severity IN {severities:Array(String)} AND detected_at >= {since:DateTime64(3, 'Asia/Tokyo')}
              ORDER BY detected_at, finding_id`,
      query_params: { severities, since: detectedSince },
      format: 'JSONEachRow',
    });
    return rs.json<AlertCandidate>();
  }

  async states(channel: AlertChannelName, findingIds: readonly string[]): Promise<Map<string, DeliveryState>> {
    const out = new Map<string, DeliveryState>();
    if (findingIds.length === 0) return out;
    const rs = await this.client.query({
      query: `SELECT finding_id AS findingId, count() AS attempts, argMax(status, at) AS status, argMax(next_attempt_at, at) AS nextAttemptAt
              FROM ${TABLES.alertDeliveries}
              WHERE channel = {channel:String} AND finding_id IN {ids:Array(String)}
              GROUP BY finding_id`,
      query_params: { channel, ids: findingIds },
      format: 'JSONEachRow',
    });
    for (const r of await rs.json<DeliveryState & { attempts: string }>()) out.set(r.findingId, { ...r, attempts: Number(r.attempts) });
    return out;
  }

  async record(rows: readonly DeliveryRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.client.insert({
      table: TABLES.alertDeliveries,
      values: rows.map((r) => ({
        finding_id: r.findingId,
        channel: r.channel,
        attempt: r.attempt,
        status: r.status,
        at: r.at,
        next_attempt_at: r.nextAttemptAt,
        message_id: r.messageId,
        digest: r.digest,
        rule: r.rule,
        severity: r.severity,
        recipients: r.recipients,
        subject: r.subject,
        error: r.error,
      })),
      format: 'JSONEachRow',
    });
  }

  /** The record of what was sent, newest first. */
  async list(limit = 1000): Promise<DeliveryRow[]> {
    const rs = await this.client.query({
      query: `SELECT finding_id AS findingId, channel, attempt, status, at, next_attempt_at AS nextAttemptAt, message_id AS messageId,
                     digest, rule, severity, recipients, subject, error
              FROM ${TABLES.alertDeliveries} ORDER BY at DESC, finding_id LIMIT {limit:UInt32}`,
      query_params: { limit },
      format: 'JSONEachRow',
    });
    return (await rs.json<DeliveryRow>()).map((r) => ({ ...r, attempt: Number(r.attempt), digest: Boolean(r.digest) }));
  }
}
