-- Lines that could not be decoded, parsed or validated: kept with the reason.
CREATE TABLE IF NOT EXISTS quarantine (
  quarantine_id     String,
  batch_id          String,
  source            LowCardinality(String),
  instance          LowCardinality(String),
  -- where it came from: file path, kafka topic/partition/offset, or http
  origin            String,
  line_no           UInt64,
  field             String,
  reason            String,
  -- the line as text (個人番号 masked); raw_bytes_b64 when it could not be decoded
  raw               String CODEC(ZSTD(3)),
  raw_bytes_b64     String CODEC(ZSTD(3)),
  received_at       DateTime64(3, 'Asia/Tokyo') DEFAULT now64(3)
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(received_at)
ORDER BY (source, received_at, batch_id, line_no);

-- One row per import batch (a file, a Kafka batch, an HTTP request), chained
-- per source by SHA-256 so that altered or deleted rows are detected.
CREATE TABLE IF NOT EXISTS import_batches (
  batch_id          String,
  seq               UInt64,
  source            LowCardinality(String),
  instance          LowCardinality(String),
  transport         LowCardinality(String),
  origin            String,
  file_sha256       String,
  lines_read        UInt64,
  stored            UInt64,
  duplicates        UInt64,
  quarantined       UInt64,
  content_digest    String,
  prev_chain        String,
  chain_hash        String,
  started_at        DateTime64(3, 'Asia/Tokyo'),
  finished_at       DateTime64(3, 'Asia/Tokyo')
)
ENGINE = MergeTree
ORDER BY (source, seq);
