import { ClickHouseClient } from '@clickhouse/client';
import { batchEventsSql, storageCall, TABLES } from '@kansa/storage';

/** What a committed batch stored of one share of its lines (the whole batch, or one request of a shared batch). */
export interface StoredShare {
  events: number;
  /** Lines kept apart it stored, by label (those stored before by an earlier sending are not among them). */
  apart: Record<string, number>;
}

/** The one share of a batch that nobody shares. */
const WHOLE = [Number.MAX_SAFE_INTEGER];

/**
 * What a batch stored, per share of its lines: `ends` are the last line
 * numbers of consecutive shares (ascending; a row belongs to the first share
 * whose end is at or after its line), one share of the whole batch when
 * absent. Lines kept apart are counted only `withApart` (the batch kept some).
 * Its events are found by the stamp of its commit when the scope has one.
 * One count of each table, whoever asks: the commit, its recovery, and the
 * requests of a shared batch (HTTP group commit).
 */
export async function storedShares(
  client: ClickHouseClient,
  batchId: string,
  scope: { ingestedAtMs?: number },
  { ends = WHOLE, withApart = true }: { ends?: readonly number[]; withApart?: boolean } = {},
): Promise<StoredShare[]> {
  const shares: StoredShare[] = ends.map(() => ({ events: 0, apart: {} }));
  const share = 'arrayFirstIndex(e -> line_no <= e, {ends:Array(UInt64)})';
  const params = { batch: batchId, ends };
  const rows = async <T>(query: string): Promise<T[]> => {
    const rs = await storageCall(() => client.query({ query, query_params: params, format: 'JSONEachRow' }));
    return rs.json<T>();
  };
  const events = await rows<{ share: number; n: string }>(
    `SELECT ${share} AS share, count() AS n FROM ${TABLES.events} WHERE ${batchEventsSql(scope.ingestedAtMs)} GROUP BY share`,
  );
  for (const r of events) if (Number(r.share) > 0) shares[Number(r.share) - 1].events = Number(r.n);
  if (withApart) {
    const apart = await rows<{ share: number; label: string; n: string }>(
      `SELECT ${share} AS share, label, count() AS n FROM ${TABLES.eventsApart} WHERE batch_id = {batch:String} GROUP BY share, label`,
    );
    for (const r of apart) if (Number(r.share) > 0) shares[Number(r.share) - 1].apart[r.label] = Number(r.n);
  }
  return shares;
}

/** The shares summed: the batch's events and lines kept apart stored. */
export function wholeOf(shares: readonly StoredShare[]): StoredShare {
  const apart: Record<string, number> = {};
  for (const s of shares) for (const [label, n] of Object.entries(s.apart)) apart[label] = (apart[label] ?? 0) + n;
  return { events: shares.reduce((a, s) => a + s.events, 0), apart };
}
