-- Findings, identified by (rule, subject, day): finding_id is derived from
-- them, so re-running a window replaces a finding instead of adding one.
CREATE TABLE IF NOT EXISTS findings (
  finding_id        FixedString(32),
  rule              LowCardinality(String),
  rule_version      UInt32,
  severity          LowCardinality(String),
  day               Date,
  user_id           String,
  subject           String,
  count             UInt64,
  first_at          Nullable(DateTime64(3, 'Asia/Tokyo')),
  last_at           Nullable(DateTime64(3, 'Asia/Tokyo')),
  summary           String,
  details           String,
  evidence_ids      Array(String),
  evidence_total    UInt64,
  params            String,
  window_from       DateTime64(3, 'Asia/Tokyo'),
  window_to         DateTime64(3, 'Asia/Tokyo'),
  run_id            String,
  detected_at       DateTime64(3, 'Asia/Tokyo'),
  updated_at        DateTime64(3, 'Asia/Tokyo')
)
ENGINE = ReplacingMergeTree(updated_at)
PARTITION BY toYYYYMM(day)
ORDER BY (finding_id);

-- Triage history: append-only; the current status is the latest row.
CREATE TABLE IF NOT EXISTS finding_transitions (
  finding_id        FixedString(32),
  at                DateTime64(3, 'Asia/Tokyo'),
  by                String,
  from_status       LowCardinality(String),
  to_status         LowCardinality(String),
  comment           String
)
ENGINE = MergeTree ORDER BY (finding_id, at);

CREATE TABLE IF NOT EXISTS analysis_runs (
  run_id            String,
  kind              LowCardinality(String),
  started_at        DateTime64(3, 'Asia/Tokyo'),
  finished_at       Nullable(DateTime64(3, 'Asia/Tokyo')),
  from_day          Date,
  to_day            Date,
  rules             Array(String),
  status            LowCardinality(String),
  error             String,
  findings          UInt64
)
ENGINE = ReplacingMergeTree(started_at) ORDER BY (run_id);

-- What has been analysed: rule × day × source, with the state of the data
-- then (so a day whose data changed later is analysed again).
CREATE TABLE IF NOT EXISTS analysis_ledger (
  rule              LowCardinality(String),
  day               Date,
  source            LowCardinality(String),
  rule_version      UInt32,
  events_seen       UInt64,
  data_mark         DateTime64(3, 'Asia/Tokyo'),
  analyzed_at       DateTime64(3, 'Asia/Tokyo'),
  run_id            String
)
ENGINE = ReplacingMergeTree(analyzed_at) ORDER BY (rule, day, source);

-- Business calendar per day, derived from the national holidays, 年末年始 and
-- calendar.csv overrides (version of master_calendar it was built from).
CREATE TABLE IF NOT EXISTS calendar_days (
  calendar_version  UInt32,
  date              Date,
  business_day      Bool,
  label             String
)
ENGINE = ReplacingMergeTree ORDER BY (calendar_version, date);
