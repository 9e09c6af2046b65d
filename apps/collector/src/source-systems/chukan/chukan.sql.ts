import { SourceSystemConfig } from '@kansa/config/sections/sources.section';
import { sqlDigits, sqlIsoWithOffset, sqlOneOf, sqlRequired, sqlText } from '../shared/fields.sql';
import { actionSql, JsonSqlBuilder, outcomeSql, SqlNormalizer } from '../shared/sql-normalizer';

/** SQL twin of chukanSchema + chukanMapper (sql-normalizer.ts): one JSON object per line, serial is the identity. */
export function chukanSql(config: SourceSystemConfig): SqlNormalizer {
  const c = config.columns;
  const b = new JsonSqlBuilder();
  const action = b.check(c.action, sqlOneOf(Object.keys(config.actions)));
  const outcome = b.check(c.outcome, sqlOneOf([...config.outcomes.success, ...config.outcomes.failure]));
  return b.build({
    ts_ms: b.check(c.ts, sqlIsoWithOffset()),
    user_id: b.check(c.userId, sqlRequired()),
    user_name: "''",
    department_code: "''",
    terminal_id: b.optional(c.terminalId, sqlText()),
    client_ip: "''",
    action: actionSql(config, action),
    screen_id: b.optional(c.screenId, sqlText()),
    business_code: b.optional(c.businessCode, sqlText()),
    subject_id: b.optional(c.subjectId, sqlDigits(15)),
    my_number_shown: 'false',
    record_count: b.count(c.recordCount),
    reason: "''",
    outcome: outcomeSql(config, outcome),
    object: b.optional(c.object, sqlText()),
    source_event_id: b.check(c.sourceEventId, sqlRequired()),
  });
}
