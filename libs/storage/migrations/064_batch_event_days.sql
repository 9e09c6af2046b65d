-- The first and last JST day of a batch's events, part of its chain hash
-- (batches recorded before this column have ''). verify knows from them when
-- the retention TTL may have removed some of a batch's events, so that expiry
-- is reported as expiry, never as tampering (docs/collector.md "Integrity").
ALTER TABLE import_batches ADD COLUMN IF NOT EXISTS first_day String DEFAULT '' AFTER finished_at;
ALTER TABLE import_batches ADD COLUMN IF NOT EXISTS last_day String DEFAULT '' AFTER first_day;
