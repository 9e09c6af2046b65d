-- The nightly watch may recompute the content of older batches in turns
-- (casework.watch.verifyOlderNights, docs/casework.md): older_parts is the
-- number of parts the batches imported before its recent days are divided
-- into by their first event day (0: no such turns), older_part the part this
-- verification recomputed. The report states how far the turns have come.
ALTER TABLE integrity_checks ADD COLUMN IF NOT EXISTS older_parts UInt16 DEFAULT 0;
ALTER TABLE integrity_checks ADD COLUMN IF NOT EXISTS older_part UInt16 DEFAULT 0;
