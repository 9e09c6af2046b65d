-- The raw line stored as what the other columns do not already say (issue
-- 16, part 1: "where the raw line lives"; docs/storage.md "The raw line as
-- a residual"). A log line repeats the values kansa stores in columns: the
-- time, the staff ID and name, the terminal, the address, the resident's
-- number, the screen, the reason. ZSTD stored each twice. Now a new row keeps
-- the line with each such value (its first occurrence, the time in the four
-- forms the sources write it) replaced by a one-byte marker (raw_residual),
-- and `raw` is computed back from it and the row's columns. The line an
-- auditor reads, the row digest of the integrity chain and `kansa verify`
-- see the same bytes as before.
--  - Exact by construction: at insert the residual is taken only if the
--    line computed back from it is the line given (a line that holds a marker
--    byte itself, or anything the replacement cannot undo, is stored whole in
--    raw_line, as before).
--  - Rows stored before the upgrade keep their line in raw_line (the column
--    `raw` renamed: no part is rewritten); `raw` reads it for them.
--  - Writers insert the line into raw_input (EPHEMERAL: given at insert, never
--    stored); the two stored columns follow from it.
--  - Measured on two days of the bench:analyze --size 100m month (10 M
--    events, six sources, one part): the line 14.85 → 4.58 bytes/event.
-- Two migrations: this one adds the columns; 241 adds `raw`, so that a start
-- interrupted between the two applies each again without renaming twice.
ALTER TABLE events RENAME COLUMN IF EXISTS raw TO raw_line;
ALTER TABLE events ADD COLUMN IF NOT EXISTS raw_input String EPHEMERAL '' COMMENT 'the line as a writer gives it (never stored)';
ALTER TABLE events ADD COLUMN IF NOT EXISTS raw_residual String DEFAULT
  replaceOne(replaceOne(replaceOne(replaceOne(replaceOne(replaceOne(replaceOne(
  replaceOne(replaceOne(replaceOne(replaceOne(replaceOne(replaceOne(raw_input,
    formatDateTime(ts, '%Y/%m/%d %H:%i:%S'), '\x01'),
    formatDateTime(ts, '%Y-%m-%d %H:%i:%S'), '\x02'),
    substring(formatDateTime(ts, '%Y-%m-%dT%H:%i:%S.%f'), 1, 23), '\x03'),
    substring(formatDateTime(ts, '%Y-%m-%dT%H:%i:%S.%f', 'UTC'), 1, 23), '\x04'),
    subject_id, '\x05'),
    source_event_id, '\x06'),
    client_ip, '\x07'),
    terminal_id, '\x08'),
    user_id, '\x0B'),
    user_name, '\x0C'),
    screen_id, '\x0E'),
    reason, '\x0F'),
    department_code, '\x10')
  CODEC(ZSTD(1)) AFTER raw_line;
ALTER TABLE events ADD COLUMN IF NOT EXISTS raw_rebuilt String ALIAS
  replaceOne(replaceOne(replaceOne(replaceOne(replaceOne(replaceOne(replaceOne(
  replaceOne(replaceOne(replaceOne(replaceOne(replaceOne(replaceOne(raw_residual,
    '\x10', department_code),
    '\x0F', reason),
    '\x0E', screen_id),
    '\x0C', user_name),
    '\x0B', user_id),
    '\x08', terminal_id),
    '\x07', client_ip),
    '\x06', source_event_id),
    '\x05', subject_id),
    '\x04', substring(formatDateTime(ts, '%Y-%m-%dT%H:%i:%S.%f', 'UTC'), 1, 23)),
    '\x03', substring(formatDateTime(ts, '%Y-%m-%dT%H:%i:%S.%f'), 1, 23)),
    '\x02', formatDateTime(ts, '%Y-%m-%d %H:%i:%S')),
    '\x01', formatDateTime(ts, '%Y/%m/%d %H:%i:%S'))
  COMMENT 'the line computed back from raw_residual and the row''s columns';
ALTER TABLE events MODIFY COLUMN raw_line String DEFAULT if(raw_rebuilt = raw_input, '', raw_input) CODEC(ZSTD(1));
