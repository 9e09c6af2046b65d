-- kansa's own audit log (監査ログ): api_access_log, which recorded every read of
-- personal data through the API, now records every use of kansa: log-ins
-- (successes and failures), log-outs, failed authentications, reads of
-- personal data with their purpose (console, API, CLI), exports, triage
-- decisions and assignments, changes of users, tokens, masters and reports.
-- Rows written before this migration are reads by API tokens (the defaults).
ALTER TABLE api_access_log ADD COLUMN IF NOT EXISTS kind LowCardinality(String) DEFAULT 'read';
ALTER TABLE api_access_log ADD COLUMN IF NOT EXISTS actor_kind LowCardinality(String) DEFAULT 'token';
ALTER TABLE api_access_log ADD COLUMN IF NOT EXISTS outcome LowCardinality(String) DEFAULT 'ok';
-- what was done, as JSON (the user changed, the state set, the reason refused)
ALTER TABLE api_access_log ADD COLUMN IF NOT EXISTS detail String DEFAULT '';
-- the 開示請求 reference (e.g. 令和7年 第12号) given with a search
ALTER TABLE api_access_log ADD COLUMN IF NOT EXISTS reference String DEFAULT '';
-- the connection's own peer (remote_addr is the client: X-Forwarded-For of a trusted proxy)
ALTER TABLE api_access_log ADD COLUMN IF NOT EXISTS peer_addr String DEFAULT '';
ALTER TABLE api_access_log ADD COLUMN IF NOT EXISTS user_agent String DEFAULT '';
