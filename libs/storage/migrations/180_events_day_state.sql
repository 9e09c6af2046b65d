-- The events per (source, day) and their latest arrival, kept beside the
-- events of each part (an aggregate projection): what the analysis ledger
-- reads before every analysis, catch-up and preparation ahead
-- (AnalysisLedgerRepository.dataState: count() and max(ingested_at) GROUP BY
-- source, day). On the 120-million-event month of bench:analyze --size 100m
-- that query read every row of its 130-day span: 1.4-1.8 s, twice per daily
-- run; from the projection 0.02 s. It holds a row per (source, day) of a
-- part, nothing per event.
--  - events is a ReplacingMergeTree: a merge that drops duplicates rebuilds
--    the projection from the rows it keeps, and a lightweight DELETE (the
--    rollback of a failed commit) rebuilds it for the parts it touches; the
--    engine refuses both without these settings.
--  - Parts written from now on (every insert, every merge) carry it. Parts
--    stored before are read as before until they are merged or rewritten
--    (`kansa storage compact`); the answer is the same either way, only
--    slower for them. Nothing is rewritten at upgrade.
ALTER TABLE events MODIFY SETTING deduplicate_merge_projection_mode = 'rebuild', lightweight_mutation_projection_mode = 'rebuild';
ALTER TABLE events ADD PROJECTION IF NOT EXISTS day_state (SELECT source, day, count(), max(ingested_at) GROUP BY source, day);
