import { ClickHouseClient } from '@clickhouse/client';
import { Inject, Injectable } from '@nestjs/common';
import { CLICKHOUSE, TABLES } from '@kansa/storage';

/** Events per source and day, for the watch over log volumes. */
@Injectable()
export class LogVolumeRepository {
  constructor(@Inject(CLICKHOUSE) private readonly client: ClickHouseClient) {}

  /** Events per `${source}|${day}` on the given JST days (sources with none on a day are absent). */
  async counts(days: readonly string[]): Promise<Map<string, number>> {
    if (days.length === 0) return new Map();
    const rs = await this.client.query({
      // Aliases other than the columns' names: an alias `day` would shadow the column in WHERE.
      query: `SELECT toString(source) AS src, toString(day) AS d, count() AS n FROM ${TABLES.events}
              WHERE day IN {days:Array(Date)} GROUP BY src, d`,
      query_params: { days },
      format: 'JSONEachRow',
    });
    return new Map((await rs.json<{ src: string; d: string; n: string }>()).map((r) => [`${r.src}|${r.d}`, Number(r.n)]));
  }
}
