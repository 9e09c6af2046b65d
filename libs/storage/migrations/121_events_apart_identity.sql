-- A line kept apart is identified by its content (source, instance, the line
-- as received), like an event: a re-sent file stores it once. The look-up of
-- a batch's identities among those stored goes through this index (the
-- table's key is its arrival, not its identity). Rows stored before keep the
-- ID they were chained with (batch:line); only a re-send of a file imported
-- before this version stores its kept-apart lines a second time, once.
ALTER TABLE events_apart ADD INDEX IF NOT EXISTS apart_identity apart_id TYPE bloom_filter(0.01) GRANULARITY 1;
