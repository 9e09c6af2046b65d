-- The JST day of a kept-apart record's own time, as events.day is an event's:
-- a batch looks its kept-apart identities up among those stored on the days
-- it holds (and rows without a day), not among every row its source ever
-- kept apart. Without the day the look-up read every stored identity: ~1 s
-- a batch against 40 million stored rows (a month of a 2,000-PC city), and
-- growing with every day kept (measured, docs/collector.md "Kept apart").
-- Rows stored before this version read as 1970-01-01, as do records without
-- a time of their own: every look-up includes them, so a re-send of a file
-- imported before the upgrade is still recognised.
ALTER TABLE events_apart ADD COLUMN IF NOT EXISTS day Date DEFAULT toDate(0) AFTER label;
ALTER TABLE events_apart ADD INDEX IF NOT EXISTS apart_day day TYPE minmax GRANULARITY 1;
