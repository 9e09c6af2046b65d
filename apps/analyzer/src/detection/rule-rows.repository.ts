import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { RuleQuery } from '@kansa/rules';
import { CLICKHOUSE } from '@kansa/storage';

/** Runs a rule's query (its SQL is the rule's own: libs/rules) and returns its rows. */
@Injectable()
export class RuleRowsRepository {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  async rows(q: RuleQuery): Promise<Array<Record<string, unknown>>> {
    const rs = await this.client.query({ query: q.query, query_params: q.query_params, format: 'JSONEachRow' });
    return rs.json<Record<string, unknown>>();
  }
}
