-- 事案 (cases per person, docs/casework.md "Cases"): a staff member's
-- findings across rules and months, followed by an officer. Every event of a
-- case — opened, a state or owner change, a note, a finding linked or
-- unlinked — is a row; the case is what its events add up to. Each event
-- takes a place (seq) in its case, inserted with the deduplication token
-- '<case_id>:<seq>': of two writers taking the same place at once, one wins.
CREATE TABLE IF NOT EXISTS case_events (
  case_id     String,
  seq         UInt32,
  at          DateTime64(3, 'Asia/Tokyo'),
  by          String,
  kind        LowCardinality(String),
  user_id     String,
  title       String,
  state       LowCardinality(String),
  owner       String,
  text        String,
  finding_id  String
)
ENGINE = MergeTree
ORDER BY (case_id, seq)
SETTINGS non_replicated_deduplication_window = 100000;
