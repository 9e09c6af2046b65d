-- Denser lines kept apart (events_apart: Windows records of machine
-- accounts, event IDs kansa does not use; docs/storage.md "Bytes on disk per
-- event"). On the 3,000,000-record Windows day of npm run bench:ingest
-- (1,200,000 kept apart), one part: 47.7 → 28.3 bytes a row.
--  - apart_id: 32 hex characters of a hash, as events.event_id (170): ZSTD
--    stores their 4 bits each, 32.1 → 16.3.
--  - line_no: ordered by batch and line within a part: Delta then ZSTD,
--    4.0 → 0.4.
-- Only the codecs change: rows stored before keep theirs until merged.
ALTER TABLE events_apart MODIFY COLUMN apart_id String CODEC(ZSTD(1));
ALTER TABLE events_apart MODIFY COLUMN line_no UInt64 CODEC(Delta, ZSTD(1));
