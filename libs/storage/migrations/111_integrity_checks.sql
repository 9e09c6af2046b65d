-- Every `kansa verify` run, as the report's evidence section states it
-- (「検証結果：整合」 and when it was checked): its verdict, what it recomputed
-- and the chain heads it saw per source and writer. Append-only.
CREATE TABLE IF NOT EXISTS integrity_checks (
  checked_at        DateTime64(3, 'Asia/Tokyo'),
  ok                Bool,
  batches_checked   UInt64,
  expired           UInt64,
  -- the import days whose content was recomputed ('' = all)
  content_from      String,
  content_to        String,
  -- per chain: (source, writer, batches, head chain hash)
  chains            Array(Tuple(source String, writer String, batches UInt64, head String)),
  -- the first problem found, in Japanese ('' when ok)
  problem           String
)
ENGINE = MergeTree
ORDER BY checked_at;
