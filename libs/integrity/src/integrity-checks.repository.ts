import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { jstTimestamp } from '@kansa/domain';
import { CLICKHOUSE, TABLES } from '@kansa/storage';
import { OlderPart } from './content-scope';

/** One `kansa verify` run as recorded (integrity_checks, migration 111). */
export interface IntegrityCheck {
  checkedAtMs: number;
  ok: boolean;
  batchesChecked: number;
  expired: number;
  /** Import days whose stored content was recomputed; '' = every day. */
  contentFrom: string;
  contentTo: string;
  /** Besides those, the part of the older batches recomputed (ContentScope.older); absent: none. */
  older?: OlderPart;
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
          older_parts: c.older?.parts ?? 0,
          older_part: c.older?.part ?? 0,
          chains: c.chains.map((x) => ({ source: x.source, writer: x.writer, batches: x.batches, head: x.head })),
          problem: c.problem,
        },
      ],
    });
  }

  /**
   * The part of `parts` the next verification in turns should recompute:
   * the one after the last recorded with as many parts (0 first, and after
   * the number of parts changed). A night the watch did not run delays the
   * turns; it skips none.
   */
  async nextOlderPart(parts: number): Promise<OlderPart> {
    const rs = await this.client.query({
      query: `SELECT older_part FROM ${TABLES.integrityChecks} WHERE older_parts = {parts:UInt16} ORDER BY checked_at DESC LIMIT 1`,
      query_params: { parts },
      format: 'JSONEachRow',
    });
    const [last] = await rs.json<{ older_part: number }>();
    return { part: last ? (Number(last.older_part) + 1) % parts : 0, parts };
  }
}
