/**
 * A rule's query with its parameters written in, as the engine receives it:
 * every `{name:Type}` placeholder becomes `CAST(<literal> AS Type)`, so that a
 * reviewer or auditor can paste the text into a ClickHouse client and get
 * exactly the rows the analyzer got (checked against the parameterized query
 * in inline-params.int-spec.ts).
 */
export function inlineParams(query: string, params: Record<string, unknown>): string {
  return query.replace(/\{([A-Za-z_][A-Za-z0-9_]*):([^{}]+)\}/g, (whole, name: string, type: string) => {
    if (!(name in params)) throw new Error(`query parameter ${name} has no value`);
    return `CAST(${literal(params[name])} AS ${type})`;
  });
}

function literal(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value === null || value === undefined) return 'NULL';
  return `'${String(value).replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
