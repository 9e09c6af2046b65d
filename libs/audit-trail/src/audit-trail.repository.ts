import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { CLICKHOUSE, SqlConditions, TABLES } from '@kansa/storage';
import type { AuditChange } from './audit-change';

/** audit_changes and clock_marks: the audit trail as stored. */
@Injectable()
export class AuditTrailRepository {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  /** The newest change of a writer's chain. */
  async last(writer: string): Promise<AuditChange | undefined> {
    return (await this.select('WHERE writer = {writer:String} ORDER BY seq DESC LIMIT 1', { writer }))[0];
  }

  /** The newest change of these kinds (and subject), whatever the writer. */
  async lastOf(kinds: readonly string[], subject?: string): Promise<AuditChange | undefined> {
    const where = subject === undefined ? 'kind IN {kinds:Array(String)}' : 'kind IN {kinds:Array(String)} AND subject = {subject:String}';
    return (await this.select(`WHERE ${where} ORDER BY at DESC, seq DESC LIMIT 1`, { kinds, subject: subject ?? '' }))[0];
  }

  async insert(c: AuditChange): Promise<void> {
    await this.client.insert({
      table: TABLES.auditChanges,
      format: 'JSONEachRow',
      values: [
        {
          change_id: c.changeId,
          writer: c.writer,
          seq: c.seq,
          at: c.at,
          kind: c.kind,
          subject: c.subject,
          summary: c.summary,
          before: c.before,
          after: c.after,
          actor: c.actor,
          origin: c.origin,
          prev_hash: c.prevHash,
          hash: c.hash,
        },
      ],
    });
  }

  /** Changes in a period (JST days, inclusive) of the given kinds (all when none), newest first. */
  async list(filter: { fromDay?: string; toDay?: string; kinds?: readonly string[]; limit?: number }): Promise<AuditChange[]> {
    const q = new SqlConditions({ limit: filter.limit ?? 10_000 })
      .when(filter.fromDay || undefined, 'toDate(at) >= {fromDay:Date}', 'fromDay')
      .when(filter.toDay || undefined, 'toDate(at) <= {toDay:Date}', 'toDay')
      .when(filter.kinds?.length ? filter.kinds : undefined, 'kind IN {kinds:Array(String)}', 'kinds');
    return this.select(`${q.where} ORDER BY at DESC, writer, seq DESC LIMIT {limit:UInt32}`, q.params);
  }

  /** Every change of every chain, in chain order (for verification). */
  all(): Promise<AuditChange[]> {
    return this.select('ORDER BY writer, seq', {});
  }

  /** The latest reading of a writer's clock, or undefined. */
  async clockMark(writer: string): Promise<{ seq: number; seenAt: string } | undefined> {
    const rs = await this.client.query({
      query: `SELECT seq, seen_at FROM ${TABLES.clockMarks} WHERE writer = {writer:String} ORDER BY seq DESC LIMIT 1`,
      query_params: { writer },
      format: 'JSONEachRow',
    });
    const [row] = await rs.json<{ seq: string; seen_at: string }>();
    return row ? { seq: Number(row.seq), seenAt: row.seen_at } : undefined;
  }

  /** Records a reading (the newest counts, even when earlier than the one before: one alert for a jump back, not one a day). */
  async addClockMark(writer: string, seq: number, seenAt: string): Promise<void> {
    await this.client.insert({ table: TABLES.clockMarks, format: 'JSONEachRow', values: [{ writer, seq, seen_at: seenAt }] });
  }

  private async select(tail: string, params: Record<string, unknown>): Promise<AuditChange[]> {
    const rs = await this.client.query({
      query: `SELECT change_id, writer, seq, at, kind, subject, summary, before, after, actor, origin, prev_hash, hash
              FROM ${TABLES.auditChanges} ${tail}`,
      query_params: params,
      format: 'JSONEachRow',
    });
    return (await rs.json<Record<string, string>>()).map((r) => ({
      changeId: r.change_id,
      writer: r.writer,
      seq: Number(r.seq),
      at: r.at,
      kind: r.kind,
      subject: r.subject,
      summary: r.summary,
      before: r.before,
      after: r.after,
      actor: r.actor,
      origin: r.origin,
      prevHash: r.prev_hash,
      hash: r.hash,
    }));
  }
}
