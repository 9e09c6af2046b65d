-- Batches set aside: a commit that failed for a reason retrying will not
-- fix (a value the engine refuses, a limit, the schema) or that kept failing
-- after bounded retries. Nothing of such a batch is stored; its staged rows
-- are kept (the embedded staging folder's set-aside/, or the staging tables
-- on a server) until an operator replays or discards it
-- (`kansa batches`, /api/batches; docs/collector.md "When a commit fails").
-- Every change of state is a new row; the newest row per batch is its state.
CREATE TABLE IF NOT EXISTS set_aside_batches (
  batch_id      String,
  source        LowCardinality(String),
  instance      LowCardinality(String),
  transport     LowCardinality(String),
  origin        String,
  writer        LowCardinality(String),
  lines         UInt64,
  state         Enum8('set_aside' = 1, 'replayed' = 2, 'discarded' = 3),
  reason        String,
  error_code    String,
  attempts      UInt32,
  intent        String,
  set_aside_at  DateTime64(3, 'Asia/Tokyo'),
  updated_at    DateTime64(3, 'Asia/Tokyo'),
  updated_by    String,
  note          String
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY batch_id;
