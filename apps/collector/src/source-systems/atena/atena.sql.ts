import { SourceSystemConfig } from '@kansa/config/sections/sources.section';
import { sqlCount, sqlDigits, sqlIsoWithOffset, sqlOneOf, sqlRequired } from '../shared/fields.sql';
import { actionSql, CsvSqlBuilder, outcomeSql, SqlNormalizer, sqlStrings } from '../shared/sql-normalizer';

/** SQL twin of atenaSchema + atenaMapper (sql-normalizer.ts). */
export function atenaSql(config: SourceSystemConfig): SqlNormalizer {
  const c = config.columns;
  const b = new CsvSqlBuilder(config.header);
  const action = b.check(c.action, sqlOneOf(Object.keys(config.actions)));
  const outcome = b.check(c.outcome, sqlOneOf([...config.outcomes.success, ...config.outcomes.failure]));
  return b.build({
    ts_ms: b.check(c.ts, sqlIsoWithOffset()),
    user_id: b.check(c.userId, sqlRequired()),
    user_name: "''",
    department_code: b.check(c.departmentCode, sqlDigits(6)),
    terminal_id: b.check(c.terminalId, sqlRequired()),
    client_ip: "''",
    action: actionSql(config, action),
    screen_id: "''",
    business_code: b.check(c.businessCode, sqlRequired()),
    subject_id: b.check(c.subjectId, sqlDigits(15, true)),
    my_number_shown: `has(${sqlStrings(config.myNumberShownValues)}, ${action})`,
    record_count: c.recordCount ? b.check(c.recordCount, sqlCount()) : '0',
    reason: "''",
    outcome: outcomeSql(config, outcome),
    object: "''",
  });
}
