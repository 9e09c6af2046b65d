import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { CLICKHOUSE, TABLES } from '@kansa/storage';
import type { CaseEvent } from './case.model';

/** `case_events`: the events of every case (append-only; one event per place). */
@Injectable()
export class CasesRepository {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  /**
   * Appends an event at its place unless another writer took the place first
   * (deduplicated on '<case_id>:<seq>', written into the statement: settings
   * given per query would become the embedded session's). True when stored.
   */
  async append(e: CaseEvent): Promise<boolean> {
    if (!/^[A-Z0-9-]+$/.test(e.caseId) || !Number.isInteger(e.seq) || e.seq < 1)
      throw new Error(`invalid case event place ${e.caseId}:${e.seq}`);
    await this.client.command({
      query: `INSERT INTO ${TABLES.caseEvents} (case_id, seq, at, by, kind, user_id, title, state, owner, text, finding_id)
              SETTINGS insert_deduplicate = 1, insert_deduplication_token = '${e.caseId}:${e.seq}'
              SELECT {caseId:String}, {seq:UInt32}, {at:DateTime64(3, 'Asia/Tokyo')}, {by:String}, {kind:String}, {userId:String},
                {title:String}, {state:String}, {owner:String}, {text:String}, {findingId:String}`,
      query_params: { ...e },
    });
    const [stored] = await this.select('WHERE case_id = {id:String} AND seq = {seq:UInt32} LIMIT 1', { id: e.caseId, seq: e.seq });
    return stored !== undefined && stored.at === e.at && stored.by === e.by && stored.kind === e.kind && stored.text === e.text;
  }

  /** Every event of one case, in order. */
  events(caseId: string): Promise<CaseEvent[]> {
    return this.select('WHERE case_id = {id:String} ORDER BY seq', { id: caseId });
  }

  /** Every event of every case (of a staff member, when given), by case and place. */
  all(userId?: string): Promise<CaseEvent[]> {
    return this.select(
      userId
        ? `WHERE case_id IN (SELECT case_id FROM ${TABLES.caseEvents} WHERE kind = 'opened' AND user_id = {user:String}) ORDER BY case_id, seq`
        : 'ORDER BY case_id, seq',
      { user: userId ?? '' },
    );
  }

  private async select(tail: string, params: Record<string, unknown>): Promise<CaseEvent[]> {
    const rs = await this.client.query({
      query: `SELECT case_id, seq, at, by, toString(kind) AS kind, user_id, title, toString(state) AS state, owner, text, finding_id
              FROM ${TABLES.caseEvents} ${tail}`,
      query_params: params,
      format: 'JSONEachRow',
    });
    return (await rs.json<Record<string, string>>()).map((r) => ({
      caseId: r.case_id,
      seq: Number(r.seq),
      at: r.at,
      by: r.by,
      kind: r.kind as CaseEvent['kind'],
      userId: r.user_id,
      title: r.title,
      state: r.state,
      owner: r.owner,
      text: r.text,
      findingId: r.finding_id,
    }));
  }
}
