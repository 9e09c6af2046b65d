-- A monthly report that could not be made: the month, when, who asked for it
-- (`auto` the monthly job, `console`, `manual` kansa report, `finalize`), the
-- format being rendered when it failed ('' before rendering) and why
-- (docs/report.md "When making a report fails"). Append-only and small: the
-- console and GET /api/reports/status show the latest failure of last month
-- until the report is made, across restarts.
CREATE TABLE IF NOT EXISTS report_failures (
  month             String,
  failed_at         DateTime64(3, 'Asia/Tokyo'),
  trigger           LowCardinality(String),
  format            LowCardinality(String),
  message           String
)
ENGINE = MergeTree
ORDER BY (month, failed_at);
