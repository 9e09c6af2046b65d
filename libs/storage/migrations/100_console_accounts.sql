-- People's accounts of the console (docs/console.md "Accounts and sessions").
-- A change to an account is a new row (ReplacingMergeTree on updated_at): the
-- latest row of a user_id is the account as it is. Passwords are kept only as
-- argon2id hashes; a one-time password (made by `kansa user add`, or reset by
-- an administrator) must be changed at the first log-in.
CREATE TABLE IF NOT EXISTS users (
  user_id               String,
  name                  String,
  role                  LowCardinality(String),
  -- 所属コード a reviewer may see findings of (reviewers only)
  departments           Array(String),
  password_hash         String,
  must_change_password  Bool,
  disabled              Bool,
  created_at            DateTime64(3, 'Asia/Tokyo'),
  updated_at            DateTime64(3, 'Asia/Tokyo'),
  updated_by            String
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY user_id;

-- Sessions of people logged in to the console. The cookie holds a random
-- session ID; only its SHA-256 is stored, so that a copy of the database
-- opens no session. Every process of a deployment (server mode) reads the
-- same rows, so a session is valid across processes. Use moves last_seen_at
-- (a new row, at most every few minutes); a log-out or expiry writes ended_at.
CREATE TABLE IF NOT EXISTS sessions (
  session_hash          FixedString(64),
  user_id               String,
  csrf_token            String,
  created_at            DateTime64(3, 'Asia/Tokyo'),
  last_seen_at          DateTime64(3, 'Asia/Tokyo'),
  ended_at              Nullable(DateTime64(3, 'Asia/Tokyo')),
  end_reason            LowCardinality(String),
  remote_addr           String,
  user_agent            String
)
ENGINE = ReplacingMergeTree(last_seen_at)
ORDER BY session_hash
TTL toDateTime(created_at) + INTERVAL 30 DAY;
