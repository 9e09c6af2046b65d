-- Lines kept apart are found by their batch (the commit counts what a batch
-- stored; verify recomputes a batch's digest), like events (idx_batch of
-- 001_events): the table's key is its arrival, so without this index every
-- such look-up reads the whole table, which Windows logs make the largest.
ALTER TABLE events_apart ADD INDEX IF NOT EXISTS idx_batch batch_id TYPE set(64) GRANULARITY 4;
