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
 * usable (they keep no `ts`). So the events of a range of days are selected
 * by both, here, and the partition is never named alone. Where rows are read
 * anyway, the rules name the months by `toYYYYMM(ts)` instead (libs/rules
 * `inWindow`), to the same effect.
 *
 * `from` and `to` are SQL expressions of a Date: a parameter
 * (`{fromDay:Date}`) or a computation on parameters; both days included.
 */
export function eventDays(from: string, to: string, alias = ''): string {
  const p = alias ? `${alias}.` : '';
  return `${p}day >= ${from} AND ${p}day <= ${to} AND ${partitionBound('>=', from, p)} AND ${partitionBound('<=', to, p)}`;
}

/** As eventDays, from a day on (no last day). */
export function eventDaysFrom(from: string): string {
  return `day >= ${from} AND ${partitionBound('>=', from)}`;
}

/** As eventDays, up to a day (no first day). */
export function eventDaysTo(to: string): string {
  return `day <= ${to} AND ${partitionBound('<=', to)}`;
}

/** The events' partitions on one side of a day: their ID ('YYYYMM') against the day's (`p`: the table's `alias.`). */
function partitionBound(op: '>=' | '<=', day: string, p = ''): string {
  return `${p}_partition_id ${op} formatDateTime(${day}, '%Y%m')`;
}
