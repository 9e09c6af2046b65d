-- The audit trail of kansa itself (docs/casework.md "The watch over the
-- audit"): every change to what decides detection (configuration, rules,
-- masters, exceptions, users and tokens) and every finding of the watch
-- (a failed verification, the clock going backwards, a source's volume
-- collapsing), with before and after, who and when. Append-only and chained
-- by SHA-256 per writer (as import_batches), so a row deleted or altered
-- behind kansa's back breaks the chain.
CREATE TABLE IF NOT EXISTS audit_changes (
  change_id   FixedString(32),
  writer      LowCardinality(String),
  seq         UInt64,
  at          DateTime64(3, 'Asia/Tokyo'),
  kind        LowCardinality(String),
  subject     String,
  summary     String,
  before      String,
  after       String,
  actor       String,
  origin      String,
  prev_hash   String,
  hash        String
)
ENGINE = MergeTree
ORDER BY (writer, seq);

-- The times kansa's clock has read, per writer, in the order read: a reading
-- before the latest one means the clock went backwards.
CREATE TABLE IF NOT EXISTS clock_marks (
  writer      LowCardinality(String),
  seq         UInt64,
  seen_at     DateTime64(3, 'Asia/Tokyo')
)
ENGINE = MergeTree
ORDER BY (writer, seq);
