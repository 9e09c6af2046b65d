-- Monthly reports written (ログ分析結果報告書): one row per month and format;
-- a report made again for the same month replaces the row (latest made_at).
CREATE TABLE IF NOT EXISTS reports (
  month             String,
  format            LowCardinality(String),
  path              String,
  bytes             UInt64,
  sha256            String,
  -- SHA-256 of the report's content (the same in every format of one run)
  data_digest       String,
  -- false when logs of the month were missing or days were not analysed
  complete          Bool,
  findings          UInt64,
  trigger           LowCardinality(String),
  made_at           DateTime64(3, 'Asia/Tokyo')
)
ENGINE = ReplacingMergeTree(made_at)
ORDER BY (month, format);
