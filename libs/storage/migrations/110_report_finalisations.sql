-- A monthly report finalised (確定) by an officer while findings of the month
-- were still undecided: who, when, why, and which findings were undecided
-- then (docs/report.md "Status: 速報 and 確定"). Append-only: every
-- finalisation is a row of its own and none is ever changed; the latest of a
-- month is in force. A finding left undecided that is not in its list (it
-- arrived later) puts the report back to 速報.
CREATE TABLE IF NOT EXISTS report_finalisations (
  month             String,
  finalised_at      DateTime64(3, 'Asia/Tokyo'),
  by                String,
  reason            String,
  undecided         Array(String),
  data_digest       String
)
ENGINE = MergeTree
ORDER BY (month, finalised_at);
