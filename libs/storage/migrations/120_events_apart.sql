-- Records kept apart (docs/collector.md "Kept apart"): accepted, not bad data,
-- but not staff activity — Windows events of machine and service accounts
-- (…$, SYSTEM, LOCAL SERVICE …) and event IDs kansa does not use. Stored and
-- chained with their batch like quarantined lines, counted by `label`, never
-- read by the rules.
CREATE TABLE IF NOT EXISTS events_apart (
  apart_id          String,
  batch_id          String,
  source            LowCardinality(String),
  instance          LowCardinality(String),
  origin            String,
  line_no           UInt64,
  -- what it is, the key it is counted under: 非職員アカウント: SYSTEM, 未使用のイベントID: 4688
  label             LowCardinality(String),
  raw               String CODEC(ZSTD(1)),
  received_at       DateTime64(3, 'Asia/Tokyo') DEFAULT now64(3)
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(received_at)
ORDER BY (source, received_at, batch_id, line_no);

-- How many lines of a batch were kept apart; part of its chain hash when not 0
-- (batches recorded before this column have 0 and hash as before).
ALTER TABLE import_batches ADD COLUMN IF NOT EXISTS apart UInt64 DEFAULT 0 AFTER quarantined;
