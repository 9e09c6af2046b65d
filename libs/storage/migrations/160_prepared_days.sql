-- What a rule's prepare step last wrote for a day (unexplained-access: the
-- classification of every access of the day into access_explanations), and
-- what it read then, in the analysis ledger's terms (migration 070): the
-- events of the day and of its look-back and look-ahead, the versions of the
-- masters, the rule's version, and a digest of its parameters. An analysis
-- prepares again only the days whose inputs changed; the rest is read as it
-- was written (docs/explanations.md "Classified once, as the data arrives").
-- A day's row is written once its statements have all run: a rewrite that
-- stops half-way leaves the day stale, to be done again.
CREATE TABLE IF NOT EXISTS prepared_days (
  rule              LowCardinality(String),
  day               Date,
  source            LowCardinality(String),
  rule_version      UInt32,
  params_digest     String,
  events_seen       UInt64,
  data_mark         DateTime64(3, 'Asia/Tokyo'),
  lookback_events   UInt64,
  lookback_mark     DateTime64(3, 'Asia/Tokyo'),
  masters           Map(String, UInt32),
  analyzed_at       DateTime64(3, 'Asia/Tokyo'),
  run_id            String
)
ENGINE = ReplacingMergeTree(analyzed_at)
PARTITION BY toYYYYMM(day)
ORDER BY (rule, day, source);
