/**
 * Which batches' stored content a verification recomputes. Absent bounds:
 * every batch. (The chains' links are walked whole, or, with an older part,
 * in turns of their own: walkRanges.)
 */
export interface ContentScope {
  /** The batches imported on these JST days (inclusive, YYYY-MM-DD). */
  from?: string;
  to?: string;
  /**
   * Besides those, one part of the batches imported before `from`: the older
   * batches are divided into `parts` by their first event day (days since
   * 1970-01-01 modulo `parts`; the import day for a batch recorded without
   * days), so that `parts` verifications, one part each, recompute every
   * older batch once, and each part spreads over the whole history (a
   * ten-year backfill imported on one day is not one night's work).
   */
  older?: OlderPart;
}

export interface OlderPart {
  /** 0 … parts − 1. */
  part: number;
  parts: number;
}

/** A batch record's day: its first event day, or its import day when recorded without days (a Date). */
export const BATCH_DAY_SQL = "if(first_day != '', toDate(first_day), toDate(finished_at))";

/**
 * The scope as a condition on import_batches (finished_at, first_day), with
 * its query parameters; '' when every batch is in scope. The one definition:
 * verify reads the records it covers, and the pass over events off their
 * days narrows to them.
 */
export function contentScopeSql(scope: ContentScope): { condition: string; params: Record<string, unknown> } {
  const { from, to, older } = scope;
  const recent = [from && 'toDate(finished_at) >= {scopeFrom:Date}', to && 'toDate(finished_at) <= {scopeTo:Date}'].filter(Boolean);
  const params: Record<string, unknown> = { ...(from && { scopeFrom: from }), ...(to && { scopeTo: to }) };
  if (!older) return { condition: recent.join(' AND '), params };
  if (!from) throw new Error('an older part needs the recent days it is older than (from)');
  const part = `toDate(finished_at) < {scopeFrom:Date} AND toUInt32(${BATCH_DAY_SQL}) % {scopeParts:UInt32} = {scopePart:UInt32}`;
  return { condition: `((${recent.join(' AND ')}) OR (${part}))`, params: { ...params, scopeParts: older.parts, scopePart: older.part } };
}
