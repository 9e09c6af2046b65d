-- Each batch's events carry one stamp (ingested_at, chosen when its commit
-- intent is written; docs/storage.md "Finding a batch's own rows"), and this
-- index finds them by it: the commit's count of what it stored and its
-- content digest read only the new rows, not every granule of the day that
-- earlier batches filled (on a day of 4.2 M 住民記録 events, the digest of its
-- last 100,000-line batch read the whole day: ~570 ms a batch, growing with
-- the day). 16 bytes per 8,192 events. The parts stored before get it in the
-- background (a mutation that reads ingested_at alone and writes the index
-- beside the other columns, which it does not rewrite); until then a commit
-- reads their ingested_at column instead of their batch_id.
ALTER TABLE events ADD INDEX IF NOT EXISTS idx_ingested ingested_at TYPE minmax GRANULARITY 1;
ALTER TABLE events MATERIALIZE INDEX idx_ingested;
