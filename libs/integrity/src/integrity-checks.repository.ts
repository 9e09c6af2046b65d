import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { jstTimestamp } from '@kansa/domain';
import { CLICKHOUSE, TABLES } from '@kansa/storage';

/** One `kansa verify` run as recorded (integrity_checks, migration 111). */
export interface IntegrityCheck {
  checkedAtMs: number;
  ok: boolean;
  batchesChecked: number;
  expired: number;
  /** Import days whose stored content was recomputed; '' = every day. */
  contentFrom: string;
  contentTo: string;
  chains: Array<{ source: string; writer: string; batches: number; head: string }>;
  /** The first problem, in Japanese ('' when ok). */
  problem: string;
}

/** Records every verification, so that the monthly report can state the verdict and when it was reached. */
@Injectable()
export class IntegrityChecksRepository {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  async record(c: IntegrityCheck): Promise<void> {
    await this.client.insert({
      table: TABLES.integrityChecks,
      format: 'JSONEachRow',
      values: [
        {
          checked_at: jstTimestamp(c.checkedAtMs),
          ok: c.ok,
          batches_checked: c.batchesChecked,
          expired: c.expired,
          content_from: c.contentFrom,
          content_to: c.contentTo,
          chains: c.chains.map((x) => ({ source: x.source, writer: x.writer, batches: x.batches, head: x.head })),
          problem: c.problem,
        },
      ],
    });
  }
}
