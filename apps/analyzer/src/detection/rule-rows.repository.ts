import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { RuleQuery } from '@kansa/rules';
import { CLICKHOUSE } from '@kansa/storage';

/** Runs a rule's statements (their SQL is the rule's own: libs/rules). */
@Injectable()
export class RuleRowsRepository {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  /** Runs a statement that returns no rows (a rule's prepare: it writes the rule's derived table), unless it has nothing to do. */
  async run(q: RuleQuery): Promise<void> {
    if (q.skipWhenNone !== undefined) {
      // Whether there is anything, not how much: the engine stops at the first row.
      const rows = await (
        await this.client.query({ query: `${q.skipWhenNone} LIMIT 1`, query_params: q.query_params, format: 'JSONCompactEachRow' })
      ).json<unknown[]>();
      if (rows.length === 0) return;
    }
    await this.client.command({ query: q.query, query_params: q.query_params });
  }

  async rows(q: RuleQuery): Promise<Array<Record<string, unknown>>> {
    const rs = await this.client.query({ query: q.query, query_params: q.query_params, format: 'JSONEachRow' });
    return rs.json<Record<string, unknown>>();
  }
}
