-- Who is to triage a finding (bulk assignment in the console). Append-only:
-- the latest row of a finding is its assignment; every assignment is also in
-- the audit log. An empty assignee withdraws the assignment.
CREATE TABLE IF NOT EXISTS finding_assignments (
  finding_id            FixedString(32),
  assignee              String,
  assigned_by           String,
  at                    DateTime64(3, 'Asia/Tokyo'),
  comment               String
)
ENGINE = MergeTree
ORDER BY (finding_id, at);
