-- Commit intents with a ClickHouse server (the embedded engine keeps them as
-- files in its staging folder): written before a batch's events insert, marked
-- done once its import_batches row is written; a pending one is completed by
-- the next process of the same writer (docs/collector.md "commit intents").
CREATE TABLE IF NOT EXISTS commit_intents (
  batch_id   String,
  writer     LowCardinality(String),
  intent     String,
  done       UInt8,
  created_at DateTime64(3, 'Asia/Tokyo') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(done)
ORDER BY batch_id;
