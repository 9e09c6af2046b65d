import { ClickHouseClient } from '@clickhouse/client';
import { EventRow } from './event-columns';
import { TABLES } from './tables';

/**
 * Event rows inserted as they are given (test kits, fixtures, benchmarks'
 * generated months): `raw` into `raw_input` (migration 240: the table stores
 * what the other columns do not already say), every other key into its
 * column — `day`, `ingested_at` too when a row gives them. Named columns: a
 * key the table cannot take is an error, never dropped.
 */
export async function insertEventRows(
  client: ClickHouseClient,
  rows: ReadonlyArray<Partial<EventRow> & Record<string, unknown>>,
): Promise<void> {
  if (rows.length === 0) return;
  const values = rows.map(({ raw, ...rest }) => ({ ...rest, raw_input: raw ?? '' }));
  const columns = [...new Set(values.flatMap((v) => Object.keys(v)))] as [string, ...string[]];
  await client.insert({
    table: TABLES.events,
    format: 'JSONEachRow',
    columns,
    values,
    clickhouse_settings: { input_format_skip_unknown_fields: 0 },
  });
}
