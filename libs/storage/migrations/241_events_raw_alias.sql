-- `raw`, the line as received (個人番号 masked), read as before: the whole
-- line kept in raw_line (rows stored before migration 240, or a line the
-- residual could not hold), else the line computed back from raw_residual.
ALTER TABLE events ADD COLUMN IF NOT EXISTS raw String ALIAS if(raw_line = '', raw_rebuilt, raw_line)
  COMMENT 'the line as received (個人番号 masked)';
