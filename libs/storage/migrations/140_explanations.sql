-- Explanations of accesses (docs/explanations.md): what says why a member of
-- staff had reason to touch a resident's record.
--
-- residents.csv gains three optional columns: 住所コード (same code = same
-- address), 異動区分 (住登 / 転出 / 死亡) and 異動日 (a 除票 from then).
-- Rows loaded before this migration read as 住登 with no address: nothing
-- they said changes.
ALTER TABLE master_residents ADD COLUMN IF NOT EXISTS address_code String DEFAULT '';
ALTER TABLE master_residents ADD COLUMN IF NOT EXISTS movement LowCardinality(String) DEFAULT '住登';
ALTER TABLE master_residents ADD COLUMN IF NOT EXISTS moved_on Nullable(Date);

-- 担当割当 (assignments.csv): a department or a person assigned to a household
-- or a resident for a period (e.g. a 生活保護 caseworker), versioned like
-- every master.
CREATE TABLE IF NOT EXISTS master_assignments (
  version UInt32, kind String, department_code String, staff_id String,
  household_id String, resident_id String, start_date Date, end_date Nullable(Date)
) ENGINE = MergeTree ORDER BY (version, department_code, staff_id, household_id, resident_id);

-- Every access to a resident's record, per (source, day, user, number as
-- recorded), with its classification: explained (why), flagged (what makes
-- the target sensitive) or unexplained. Written by the unexplained-access
-- rule for the days it analyses: the window's rows are deleted and written
-- again (a re-analysis replaces, never duplicates). Ordered like `events`,
-- so that the rows come in nearly sorted and a user's day is one range per
-- source.
CREATE TABLE IF NOT EXISTS access_explanations (
  source            LowCardinality(String),
  day               Date,
  user_id           LowCardinality(String),
  subject_id        String,
  -- the resident: 宛名番号 when residents.csv links the number, else the number itself
  resident_key      String,
  -- the department the accesses were made under (the log's, else the staff master's)
  department        LowCardinality(String),
  accesses          UInt32,
  first_at          DateTime64(3, 'Asia/Tokyo'),
  last_at           DateTime64(3, 'Asia/Tokyo'),
  class             Enum8('explained' = 1, 'flagged' = 2, 'unexplained' = 3),
  explanations      Array(LowCardinality(String)),
  flags             Array(LowCardinality(String)),
  -- the business record that explains it (the nearest in time): 所属コード:受付番号, its 種別 and day
  record_ref        String,
  record_kind       LowCardinality(String),
  record_day        Nullable(Date),
  -- the assignment that explains it: 担当種別
  assignment_kind   LowCardinality(String),
  rule_version      UInt32,
  analyzed_at       DateTime64(3, 'Asia/Tokyo') DEFAULT now64(3)
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (source, day, user_id, subject_id);
