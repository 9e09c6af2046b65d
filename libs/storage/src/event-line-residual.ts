import { ClickHouseClient } from '@clickhouse/client';
import { TABLES } from './tables';

/**
 * Rows stored before migration 240 hold their whole line in `raw_line`. The
 * assignments that store such a line as a residual, as an insert since then
 * does: built from the table's own definition (the DEFAULT of raw_residual,
 * the ALIAS raw_rebuilt), so there is one definition of the residual — the
 * migration's. `raw_residual` is the line with the row's values replaced;
 * `raw_line` is emptied only where the line computed back from the residual
 * is the line (otherwise it stays whole, as an insert keeps it).
 */
export async function lineResidualAssignments(client: ClickHouseClient): Promise<string> {
  const rs = await client.query({
    query: `SELECT name, default_expression AS e FROM system.columns
            WHERE database = currentDatabase() AND table = {t:String} AND name IN ('raw_residual', 'raw_rebuilt')`,
    query_params: { t: TABLES.events },
    format: 'JSONEachRow',
  });
  const expr = Object.fromEntries((await rs.json<{ name: string; e: string }>()).map((r) => [r.name, r.e]));
  if (!expr.raw_residual || !expr.raw_rebuilt) throw new Error('events has no residual line (migration 240 not applied)');
  const residual = expr.raw_residual.replace(/\braw_input\b/g, 'raw_line');
  const rebuilt = expr.raw_rebuilt.replace(/\braw_residual\b/g, `(${residual})`);
  return `raw_residual = ${residual}, raw_line = if((${rebuilt}) = raw_line, '', raw_line)`;
}
