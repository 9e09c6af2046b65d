-- Who touched a resident, found without reading every month (issue 16,
-- look-ups; docs/analyzer.md "Look-ups"). The events are ordered for the
-- rules (source, day, user, time), so a resident's accesses are scattered
-- over every part: the look-up read the subject_id bloom filter of the whole
-- table — on the 120-million-event month of bench:analyze --size 100m 46 ms
-- for the keys alone, and as much again for every further month kept. This
-- aggregate projection keeps, beside each part, the (resident number, day,
-- source, user) keys sorted by the number (9 ms on that month: a granule of
-- it per part); the look-up then reads only the rows under those keys, which
-- the table's own order finds (EventsRepository.accesses).
--  - Its columns are compressed with ZSTD(1): a projection takes no column's
--    own codec, only the table's default, which is set here — after pinning
--    every events column that had none to LZ4, what it had, so that nothing
--    the rules read changes. On that month 2.48 bytes/event (with LZ4 and a
--    count(), as first tried: 4.09); user_id alone is 1.94 of it (one of
--    30,000 staff, in resident order).
--  - As for day_state and day_user (180, 181): merges and lightweight deletes
--    rebuild it; parts written from now on carry it, parts stored before are
--    searched through the bloom filter as before (the same answer, as
--    slowly) until they are merged or `kansa storage compact` rewrites them.
--  - day_state and day_user (180, 181) are compressed the same way in the
--    parts written from now on.
ALTER TABLE events MODIFY COLUMN day CODEC(LZ4);
ALTER TABLE events MODIFY COLUMN source CODEC(LZ4);
ALTER TABLE events MODIFY COLUMN instance CODEC(LZ4);
ALTER TABLE events MODIFY COLUMN user_id CODEC(LZ4);
ALTER TABLE events MODIFY COLUMN department_code CODEC(LZ4);
ALTER TABLE events MODIFY COLUMN terminal_id CODEC(LZ4);
ALTER TABLE events MODIFY COLUMN action CODEC(LZ4);
ALTER TABLE events MODIFY COLUMN screen_id CODEC(LZ4);
ALTER TABLE events MODIFY COLUMN business_code CODEC(LZ4);
ALTER TABLE events MODIFY COLUMN my_number_shown CODEC(LZ4);
ALTER TABLE events MODIFY COLUMN outcome CODEC(LZ4);
ALTER TABLE events MODIFY COLUMN my_number_hmacs CODEC(LZ4);
ALTER TABLE events MODIFY COLUMN ingested_at CODEC(LZ4);
ALTER TABLE events MODIFY SETTING default_compression_codec = 'ZSTD(1)';
ALTER TABLE events ADD PROJECTION IF NOT EXISTS subject_day (SELECT subject_id, day, source, user_id GROUP BY subject_id, day, source, user_id);
