import { daysBetween } from '@kansa/calendar/business-calendar';
import { BatchRecord } from './chain';

/** Batches whose stored content verify recomputes in one query, and the days their events are on (when known). */
export interface VerifyChunk {
  batchIds: string[];
  /** JST days, inclusive; absent for batches recorded without their days (before migration 064). */
  fromDay?: string;
  toDay?: string;
}

export interface ChunkLimits {
  /** Rows (events, quarantined and kept-apart lines, as recorded) a chunk holds at most, unless one batch has more. */
  rows: number;
  /** Days a chunk's events span at most, unless one batch spans more (a backfill). */
  days: number;
  /**
   * Batches whose IDs the passes over every stored row (events off their
   * days, rows without a record) hold at once, unless one month has more (monthChunks).
   */
  batchesAtOnce: number;
  /**
   * Up to how many batches in those months the pass for rows without a
   * record first leaves out the rows of the months' own batches (the set
   * index on batch_id does that by granule). Beyond, many batches share every
   * granule (small HTTP commits), the index skips nothing, and testing every
   * row against the set cost more than it saved: 8,000,000 one-event batches
   * 27.7 s and 1.9 GB with it, 4.1 s and 0.9 GB without; the 120 M-event
   * month's 1,277 batches 0.07 s with it, 0.86 s without.
   */
  prefilterBatches: number;
}

/**
 * verify's content check recomputes each batch's digest from its rows, which
 * the engine holds in memory while it sorts them by line: over the 120
 * million events of a designated city's month that was ~10 GB at once. So
 * the batches are taken a chunk at a time, in the order of their days, each
 * chunk bounded in rows (memory) and in days (what the engine reads to find
 * them: the events are ordered by day).
 */
export const VERIFY_CHUNK_LIMITS: ChunkLimits = { rows: 4_000_000, days: 7, batchesAtOnce: 1_000_000, prefilterBatches: 100_000 };

/** The batches in chunks of bounded rows and days, in the order of their first day (those without days first, unbounded). */
export function verifyChunks(batches: readonly BatchRecord[], limits: ChunkLimits = VERIFY_CHUNK_LIMITS): VerifyChunk[] {
  // a source's batches of a day side by side: a chunk reads the granules of its batches' source and days
  const sorted = [...batches].sort(
    (a, b) => a.firstDay.localeCompare(b.firstDay) || a.source.localeCompare(b.source) || a.lastDay.localeCompare(b.lastDay),
  );
  const chunks: Array<VerifyChunk & { rows: number }> = [];
  for (const b of sorted) {
    const rows = b.stored + b.quarantined + b.apart;
    const dated = b.firstDay !== '' && b.lastDay !== '';
    const open = chunks[chunks.length - 1];
    // sorted by first day: the open chunk starts at or before this batch
    const toDay = open?.toDay && open.toDay > b.lastDay ? open.toDay : b.lastDay;
    const fits =
      open !== undefined &&
      (open.fromDay !== undefined) === dated &&
      open.rows + rows <= limits.rows &&
      (!dated || daysBetween(open.fromDay as string, toDay) < limits.days);
    if (fits) {
      open.batchIds.push(b.batchId);
      open.rows += rows;
      if (dated) open.toDay = toDay;
    } else chunks.push({ batchIds: [b.batchId], rows, ...(dated ? { fromDay: b.firstDay, toDay: b.lastDay } : {}) });
  }
  return chunks.map(({ rows: _rows, ...chunk }) => chunk);
}

/**
 * The passes over every stored row (events off their batches' days, rows
 * without a batch record) join a month's batches with their records: the
 * engine holds that month's batch IDs at once, which on a site fed by small
 * HTTP commits is millions. Consecutive months (events partitions, YYYYMM) are taken
 * together while their batches (counted by the month of their first day)
 * stay within `limit`; a month above it alone.
 */
export function monthChunks(
  months: readonly string[],
  batchesPerMonth: ReadonlyMap<string, number>,
  limit: number,
): Array<{ months: string[]; batches: number }> {
  const chunks: Array<{ months: string[]; batches: number }> = [];
  for (const m of [...months].sort()) {
    const n = batchesPerMonth.get(m) ?? 0;
    const open = chunks[chunks.length - 1];
    if (open && open.batches + n <= limit) {
      open.months.push(m);
      open.batches += n;
    } else chunks.push({ months: [m], batches: n });
  }
  return chunks;
}
