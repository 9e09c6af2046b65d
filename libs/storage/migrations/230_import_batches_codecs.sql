-- A smaller ledger (issue 16; docs/storage.md "The ledger of batches").
-- Every commit writes one import_batches row, and the HTTP group commit on a
-- busy site makes several a second: millions a month. With LZ4 a record took
-- 243 bytes on disk (20,000 records of one chain: three SHA-256 in hex and a
-- UUID, which LZ4 cannot shrink). ZSTD's entropy coding stores the 4 bits
-- each hex character carries (each hash 64 → 32 bytes, batch_id 36 → 19);
-- seq and the two times rise from one record to the next: Delta then ZSTD
-- (4.0 → 0.4 and 5.0 → < 0.1 bytes each). 243 → 119 bytes a record. Only
-- the codecs change: nothing is rewritten at upgrade; parts written or
-- merged from now on use them. verify reads the same values.
ALTER TABLE import_batches MODIFY COLUMN batch_id String CODEC(ZSTD(1));
ALTER TABLE import_batches MODIFY COLUMN seq UInt64 CODEC(Delta, ZSTD(1));
ALTER TABLE import_batches MODIFY COLUMN content_digest String CODEC(ZSTD(1));
ALTER TABLE import_batches MODIFY COLUMN prev_chain String CODEC(ZSTD(1));
ALTER TABLE import_batches MODIFY COLUMN chain_hash String CODEC(ZSTD(1));
ALTER TABLE import_batches MODIFY COLUMN started_at DateTime64(3, 'Asia/Tokyo') CODEC(Delta, ZSTD(1));
ALTER TABLE import_batches MODIFY COLUMN finished_at DateTime64(3, 'Asia/Tokyo') CODEC(Delta, ZSTD(1));
