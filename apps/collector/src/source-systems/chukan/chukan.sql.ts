import { SourceSystemConfig } from '@kansa/config/sections/sources.section';
import { checkedAction, checkedOutcome, sqlDigits, sqlIsoWithOffset, sqlRequired, sqlText } from '../shared/fields.sql';
import { JsonSqlBuilder, SqlNormalizer } from '../shared/sql-normalizer';

/** SQL twin of chukanSchema + chukanMapper (sql-normalizer.ts): one JSON object per line, serial is the identity. */
export function chukanSql(config: SourceSystemConfig): SqlNormalizer {
  const c = config.columns;
  const b = new JsonSqlBuilder();
  const { action } = checkedAction(b, config);
  const outcome = checkedOutcome(b, config);
  return b.build({
    ts_ms: b.check(c.ts, sqlIsoWithOffset()),
    user_id: b.check(c.userId, sqlRequired()),
    user_name: "''",
    department_code: "''",
    terminal_id: b.optional(c.terminalId, sqlText()),
    client_ip: "''",
    action,
    screen_id: b.optional(c.screenId, sqlText()),
    business_code: b.optional(c.businessCode, sqlText()),
    subject_id: b.optional(c.subjectId, sqlDigits(15)),
    my_number_shown: 'false',
    record_count: b.count(c.recordCount),
    reason: "''",
    outcome,
    object: b.optional(c.object, sqlText()),
    source_event_id: b.check(c.sourceEventId, sqlRequired()),
  });
}
