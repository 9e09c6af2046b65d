-- Denser events (issue 16, part 1; docs/storage.md "Bytes on disk per
-- event"). Measured on the 2,000,000-line 住民記録 day of npm run
-- bench:ingest, one part: 59.2 → 29.3 bytes/event on disk; on the
-- bench:analyze month (all six sources, longer lines) 72.1 → 44.1.
--  - event_id: 32 hex characters of a hash. LZ4 (the default) cannot shrink
--    them (32.1 bytes/event); ZSTD's entropy coding stores the 4 bits each
--    character carries: 16.0, as much as the 16 bytes in binary would take,
--    with the column, its type and every reader unchanged.
--  - ts, line_no: sorted by user and time within a part, each is close to
--    the row before it: Delta then ZSTD, 5.1 → 0.1 and 4.8 → 0.4.
--  - subject_id (宛名番号, digits): ZSTD, 6.1 → 2.1.
--  - the short columns (reason, source_event_id, object, client_ip,
--    user_name, batch_id, record_count): ZSTD(3). On the bench:analyze month
--    (all six sources, 2.8 M events) 48.5 with the codecs above → 44.1
--    bytes/event, reason 3.6 → 1.7. ZSTD(1) stores them as small on that
--    month but misses the repeats of a regular file: the 住民記録 day's
--    user_name, client_ip and reason took 0.30, 0.27 and 0.21 bytes/event
--    with it, 0.09, 0.08 and 0.08 with LZ4, 0.02 with ZSTD(3). (For event_id
--    and subject_id ZSTD(3) is the worse one: 18.2 and 2.8.)
-- Only the codecs change: no row and no digest changes, nothing is rewritten
-- at upgrade. New parts (and parts merged from now on) are written with them;
-- months already stored keep theirs until `kansa storage compact` rewrites
-- them.
ALTER TABLE events MODIFY COLUMN event_id FixedString(32) CODEC(ZSTD(1));
ALTER TABLE events MODIFY COLUMN ts DateTime64(3, 'Asia/Tokyo') CODEC(Delta, ZSTD(1));
ALTER TABLE events MODIFY COLUMN line_no UInt64 CODEC(Delta, ZSTD(1));
ALTER TABLE events MODIFY COLUMN subject_id String CODEC(ZSTD(1));
ALTER TABLE events MODIFY COLUMN reason String CODEC(ZSTD(3));
ALTER TABLE events MODIFY COLUMN source_event_id String CODEC(ZSTD(3));
ALTER TABLE events MODIFY COLUMN object String CODEC(ZSTD(3));
ALTER TABLE events MODIFY COLUMN client_ip String CODEC(ZSTD(3));
ALTER TABLE events MODIFY COLUMN user_name String CODEC(ZSTD(3));
ALTER TABLE events MODIFY COLUMN batch_id String CODEC(ZSTD(3));
ALTER TABLE events MODIFY COLUMN record_count UInt32 CODEC(ZSTD(3));
