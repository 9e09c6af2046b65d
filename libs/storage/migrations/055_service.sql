-- Access audit of the HTTP API: every read of personal data (events by
-- resident or user, findings, reports) is recorded before it is answered —
-- who asked (token name), when, what (route and query) and for what (purpose).
CREATE TABLE IF NOT EXISTS api_access_log (
  access_id         String,
  at                DateTime64(3, 'Asia/Tokyo'),
  client            LowCardinality(String),
  role              LowCardinality(String),
  method            LowCardinality(String),
  route             String,
  path              String,
  query             String,
  purpose           String,
  remote_addr       String
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (at, client);

-- Alerts: one row per delivery attempt of a finding on a channel (email,
-- webhook). A finding is not sent again on a channel once a row with status
-- 'sent' (or 'abandoned' after the last retry) exists for it.
CREATE TABLE IF NOT EXISTS alert_deliveries (
  finding_id        FixedString(32),
  channel           LowCardinality(String),
  attempt           UInt32,
  status            LowCardinality(String),
  at                DateTime64(3, 'Asia/Tokyo'),
  next_attempt_at   Nullable(DateTime64(3, 'Asia/Tokyo')),
  -- several findings sent in one digest message share its id
  message_id        String,
  digest            Bool,
  rule              LowCardinality(String),
  severity          LowCardinality(String),
  recipients        String,
  -- the text sent (no resident identifiers), or the error of a failed attempt
  subject           String,
  error             String
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (finding_id, channel, at);
