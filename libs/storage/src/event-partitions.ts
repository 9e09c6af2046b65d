/**
 * `events` is partitioned by the JST month of its time (`PARTITION BY
 * toYYYYMM(ts)`, migration 001), which is the month of its `day`. A filter on
 * `day` alone still opens every part kept: the engine drops a part only after
 * looking into its index, and a projection sorted by something else first
 * (subject_day by the resident's number; day_state and day_user by source,
 * whose boundaries the index cannot tell apart by day) reads granules of
 * every part for it — seven years of parts for one month's question (on 83
 * months kept, a resident's look-up of one month 264–302 ms against 28–38;
 * day_user for one day 808–940 ms against 26–45; docs/analyzer.md "Look-ups
 * over years kept" and "The daily run over years kept").
 * A condition on the partition's ID ('YYYYMM') drops the other months'
 * parts before any is read and, unlike one on `ts`, leaves the projections
 * usable (they keep no `ts`). Used beside the `day` condition, never instead
 * of it. Where rows are read anyway, the rules name the months by
 * `toYYYYMM(ts)` instead (libs/rules `inWindow`), to the same effect.
 *
 * `day` is an SQL expression of a Date: a parameter (`{fromDay:Date}`) or a
 * computation on parameters.
 */
export function eventPartitionFrom(day: string, alias = ''): string {
  return `${partitionId(alias)} >= ${partitionOf(day)}`;
}

/** As eventPartitionFrom, for the last day of a range. */
export function eventPartitionTo(day: string, alias = ''): string {
  return `${partitionId(alias)} <= ${partitionOf(day)}`;
}

/** The partitions of the days from `from` to `to` (both SQL expressions of a Date). */
export function eventPartitions(from: string, to: string, alias = ''): string {
  return `${eventPartitionFrom(from, alias)} AND ${eventPartitionTo(to, alias)}`;
}

function partitionId(alias: string): string {
  return alias ? `${alias}._partition_id` : '_partition_id';
}

/** The ID of the events' partition holding a day. */
function partitionOf(day: string): string {
  return `formatDateTime(${day}, '%Y%m')`;
}
