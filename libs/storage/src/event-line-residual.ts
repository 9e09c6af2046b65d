import { ClickHouseClient } from '@clickhouse/client';
import { TABLES } from './tables';

/**
 * The `events` table's own definition of the line (migration 240), read from
 * the engine: the one definition every reader of it uses.
 */
export interface LineDefinition {
  /** The DEFAULT of `raw_residual`: the line (`raw_input`) with the row's values replaced. */
  readonly residual: string;
  /** The ALIAS `raw_rebuilt`: the line computed back from `raw_residual` and the row's columns. */
  readonly rebuilt: string;
  /** The type of each column of `events`. */
  readonly types: ReadonlyMap<string, string>;
}

/** The table's definition of the line, or undefined before migration 240 (no line is stored as a residual). */
export async function lineDefinition(client: ClickHouseClient): Promise<LineDefinition | undefined> {
  const columns = await client
    .query({
      query: `SELECT name, type, default_expression AS expression FROM system.columns
              WHERE database = currentDatabase() AND table = {t:String}`,
      query_params: { t: TABLES.events },
      format: 'JSONEachRow',
    })
    .then((rs) => rs.json<{ name: string; type: string; expression: string }>());
  const expression = (name: string) => columns.find((c) => c.name === name)?.expression;
  const residual = expression('raw_residual');
  const rebuilt = expression('raw_rebuilt');
  if (!residual || !rebuilt) return undefined;
  return { residual, rebuilt, types: new Map(columns.map((c) => [c.name, c.type])) };
}

/**
 * Rows stored before migration 240 hold their whole line in `raw_line`. The
 * assignments that store such a line as a residual, as an insert since then
 * does: built from the table's own definition (`lineDefinition`), so there is
 * one definition of the residual — the migration's. `raw_residual` is the
 * line with the row's values replaced; `raw_line` is emptied only where the
 * line computed back from the residual is the line (otherwise it stays whole,
 * as an insert keeps it).
 */
export async function lineResidualAssignments(client: ClickHouseClient): Promise<string> {
  const definition = await lineDefinition(client);
  if (!definition) throw new Error('events has no residual line (migration 240 not applied)');
  const residual = definition.residual.replace(/\braw_input\b/g, 'raw_line');
  const rebuilt = definition.rebuilt.replace(/\braw_residual\b/g, `(${residual})`);
  return `raw_residual = ${residual}, raw_line = if((${rebuilt}) = raw_line, '', raw_line)`;
}
