-- 例外承認 (approved exceptions, docs/casework.md): every version of every
-- exception is a row (editing makes a new version, revoking too; the old
-- ones stay readable). A finding an active exception covers keeps its row,
-- with the exception's ID, version and reference (status 例外適用).
CREATE TABLE IF NOT EXISTS exceptions (
  exception_id    String,
  version         UInt32,
  state           Enum8('active' = 1, 'revoked' = 2),
  rule            LowCardinality(String),
  user_ids        Array(String),
  departments     Array(String),
  sources         Array(String),
  business_codes  Array(String),
  valid_from      Date,
  valid_to        Date,
  days            Array(Date),
  max_count       Nullable(UInt64),
  reason          String,
  reference       String,
  requested_by    String,
  approved_by     String,
  changed_at      DateTime64(3, 'Asia/Tokyo'),
  changed_by      String,
  note            String
)
ENGINE = MergeTree
ORDER BY (exception_id, version);

ALTER TABLE findings ADD COLUMN IF NOT EXISTS exception_id String DEFAULT '';
ALTER TABLE findings ADD COLUMN IF NOT EXISTS exception_version UInt32 DEFAULT 0;
ALTER TABLE findings ADD COLUMN IF NOT EXISTS exception_reference String DEFAULT '';
