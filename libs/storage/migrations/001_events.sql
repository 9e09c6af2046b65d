-- Normalized events of every source. One row per accepted log line / message.
-- Identity (event_id) comes from source, instance and content (or the
-- source's own serial), never from arrival; the collector stores each once.
CREATE TABLE IF NOT EXISTS events (
  event_id          FixedString(32),
  ts                DateTime64(3, 'Asia/Tokyo'),
  day               Date DEFAULT toDate(ts, 'Asia/Tokyo'),
  source            LowCardinality(String),
  instance          LowCardinality(String),
  user_id           LowCardinality(String),
  user_name         String,
  department_code   LowCardinality(String),
  terminal_id       LowCardinality(String),
  client_ip         String,
  action            LowCardinality(String),
  screen_id         LowCardinality(String),
  business_code     LowCardinality(String),
  subject_id        String,
  my_number_shown   Bool,
  record_count      UInt32,
  reason            String,
  outcome           LowCardinality(String),
  object            String,
  source_event_id   String,
  -- the original line (個人番号 masked), kept compressed as evidence
  raw               String CODEC(ZSTD(3)),
  -- HMAC-SHA256 of masked 個人番号 (empty without a configured key)
  my_number_hmacs   Array(String),
  batch_id          String,
  line_no           UInt64,
  ingested_at       DateTime64(3, 'Asia/Tokyo') DEFAULT now64(3),
  INDEX idx_subject subject_id TYPE bloom_filter(0.01) GRANULARITY 4,
  INDEX idx_event_id event_id TYPE bloom_filter(0.01) GRANULARITY 4,
  INDEX idx_batch batch_id TYPE set(64) GRANULARITY 4
)
ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (source, day, user_id, ts, event_id)
SETTINGS non_replicated_deduplication_window = 1000;
