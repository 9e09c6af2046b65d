-- What the analysis of a (rule, day) read besides the day's own events, so
-- that a change to any of it makes the day due again (docs/analyzer.md):
-- the events of the rule's look-back days (count and latest arrival), and
-- the versions of the masters the rule reads.
-- Rows written before this migration get the defaults — no look-back events
-- seen, no masters recorded — so such a day is due once for a rule that looks
-- back over events or reads masters, and stays analysed for the others.
ALTER TABLE analysis_ledger ADD COLUMN IF NOT EXISTS lookback_events UInt64 DEFAULT 0 AFTER data_mark;
ALTER TABLE analysis_ledger ADD COLUMN IF NOT EXISTS lookback_mark DateTime64(3, 'Asia/Tokyo') DEFAULT toDateTime64(0, 3, 'Asia/Tokyo') AFTER lookback_events;
ALTER TABLE analysis_ledger ADD COLUMN IF NOT EXISTS masters Map(String, UInt32) AFTER lookback_mark;
