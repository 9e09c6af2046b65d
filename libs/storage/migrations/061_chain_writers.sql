-- A chain per source and writer: with a ClickHouse server several collector
-- processes write at once, each appending to its own chain (storage.writer).
-- Batches written before this column existed belong to the writer '' (the
-- embedded engine's one writer), whose chain hashes are unchanged.
ALTER TABLE import_batches ADD COLUMN IF NOT EXISTS writer LowCardinality(String) DEFAULT '' AFTER source;
