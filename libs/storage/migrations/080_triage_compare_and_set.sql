-- Triage as a compare-and-set (docs/analyzer.md "Concurrent triage"). Every
-- transition records its place in the finding's history (seq: 1, 2, …) and an
-- id of its own, and is inserted with insert_deduplication_token
-- '<finding_id>:<seq>': of several writers appending the same place at once —
-- requests in one process or several processes on one server — ClickHouse
-- stores the first block and drops the others, so each place holds exactly one
-- transition; a writer reads the place back to learn whether it won.
-- Rows written before this migration keep seq = 0 and transition_id '' and
-- come first, in the order of their time, as they were shown before.
ALTER TABLE finding_transitions ADD COLUMN IF NOT EXISTS seq UInt32 DEFAULT 0;
ALTER TABLE finding_transitions ADD COLUMN IF NOT EXISTS transition_id String DEFAULT '';
-- Deduplication remembers the last 100 000 inserts of the table (a plain
-- MergeTree remembers none by default): far more triage than a site records
-- between a writer's read and its insert.
ALTER TABLE finding_transitions MODIFY SETTING non_replicated_deduplication_window = 100000;
