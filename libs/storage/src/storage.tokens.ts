/** Nest injection token of the ClickHouse client (embedded chDB or a server). */
export const CLICKHOUSE = Symbol('CLICKHOUSE');
