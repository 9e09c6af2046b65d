/**
 * `events` is partitioned by the JST month of its time (`PARTITION BY
 * toYYYYMM(ts)`, migration 001), which is the month of its `day`. A filter on
 * `day` alone still opens every part kept: the engine drops a part only after
 * looking into its index, and the subject_day projection (migration 190),
 * sorted by the resident's number first, reads a granule of every part for
 * it — seven years of parts for a look-up of one month (264 ms against 17 on
 * 83 months, docs/analyzer.md "Look-ups over years kept"). A condition on the
 * partition's ID ('YYYYMM') drops the other months' parts before any is
 * read and, unlike one on `ts`, leaves the projections usable (they keep no
 * `ts`). Used beside the `day` condition, never instead of it.
 */
export function eventPartitionFrom(dayParam: string): string {
  return `_partition_id >= ${partitionOf(dayParam)}`;
}

/** As eventPartitionFrom, for the last day of a range. */
export function eventPartitionTo(dayParam: string): string {
  return `_partition_id <= ${partitionOf(dayParam)}`;
}

/** The ID of the events' partition holding a day (a `Date` query parameter). */
function partitionOf(dayParam: string): string {
  return `formatDateTime({${dayParam}:Date}, '%Y%m')`;
}
