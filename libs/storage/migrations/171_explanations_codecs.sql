-- Denser explanations of accesses (docs/storage.md "Bytes on disk per
-- event"). access_explanations holds a row per (day, user, resident): on the
-- bench:analyze month 1.24 M rows for 2.8 M events, at 33.7 bytes a row with
-- the default LZ4, 21.2 with ZSTD on the columns below (one part each):
-- record_ref 8.2 → 4.6, subject_id 5.9 → 3.6, resident_key 5.7 → 3.6, first_at and last_at
-- 5.1 → 3.6. Only the codecs change, as in 170: days classified from now on
-- are written with them.
ALTER TABLE access_explanations MODIFY COLUMN subject_id String CODEC(ZSTD(1));
ALTER TABLE access_explanations MODIFY COLUMN resident_key String CODEC(ZSTD(1));
ALTER TABLE access_explanations MODIFY COLUMN record_ref String CODEC(ZSTD(1));
ALTER TABLE access_explanations MODIFY COLUMN first_at DateTime64(3, 'Asia/Tokyo') CODEC(ZSTD(1));
ALTER TABLE access_explanations MODIFY COLUMN last_at DateTime64(3, 'Asia/Tokyo') CODEC(ZSTD(1));
ALTER TABLE access_explanations MODIFY COLUMN record_day Nullable(Date) CODEC(ZSTD(1));
ALTER TABLE access_explanations MODIFY COLUMN accesses UInt32 CODEC(ZSTD(1));
