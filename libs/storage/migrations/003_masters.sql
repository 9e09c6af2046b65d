-- Master data, versioned: each load is a new version; a day is analysed
-- against the version in effect then (the earliest version reaches back).
CREATE TABLE IF NOT EXISTS master_versions (
  master            LowCardinality(String),
  version           UInt32,
  effective_from    DateTime64(3, 'Asia/Tokyo'),
  loaded_at         DateTime64(3, 'Asia/Tokyo'),
  file_name         String,
  file_sha256       String,
  rows              UInt32
)
ENGINE = MergeTree ORDER BY (master, version);

CREATE TABLE IF NOT EXISTS master_staff (
  version UInt32, staff_id String, name String, department_code String, department_name String,
  employment_status LowCardinality(String), retired_on Nullable(Date), resident_id String, household_id String
) ENGINE = MergeTree ORDER BY (version, staff_id);

CREATE TABLE IF NOT EXISTS master_leaves (
  version UInt32, staff_id String, leave_type String, start_date Date, end_date Nullable(Date)
) ENGINE = MergeTree ORDER BY (version, staff_id, start_date);

CREATE TABLE IF NOT EXISTS master_accounts (
  version UInt32, system LowCardinality(String), account_id String, staff_id String,
  state LowCardinality(String), state_changed_on Nullable(Date)
) ENGINE = MergeTree ORDER BY (version, system, account_id);

CREATE TABLE IF NOT EXISTS master_overtime (
  version UInt32, staff_id String, date Date,
  start_at DateTime('Asia/Tokyo'), end_at DateTime('Asia/Tokyo'), approver String
) ENGINE = MergeTree ORDER BY (version, staff_id, date);

CREATE TABLE IF NOT EXISTS master_watchlist (
  version UInt32, category String, resident_id String, integrated_id String,
  start_date Date, end_date Nullable(Date), handling_departments Array(String)
) ENGINE = MergeTree ORDER BY (version, resident_id, integrated_id);

CREATE TABLE IF NOT EXISTS master_permissions (
  version UInt32, department_code String, system LowCardinality(String), business_code String
) ENGINE = MergeTree ORDER BY (version, department_code, system, business_code);

CREATE TABLE IF NOT EXISTS master_residents (
  version UInt32, resident_id String, integrated_id String, household_id String
) ENGINE = MergeTree ORDER BY (version, resident_id);

CREATE TABLE IF NOT EXISTS master_calendar (
  version UInt32, date Date, kind LowCardinality(String), note String
) ENGINE = MergeTree ORDER BY (version, date);
