import { SourceSystemConfig } from '@kansa/config/sections/sources.section';
import { checkedAction, checkedOutcome, sqlCount, sqlDigits, sqlIsoWithOffset, sqlRequired } from '../shared/fields.sql';
import { CsvSqlBuilder, SqlNormalizer, sqlStrings } from '../shared/sql-normalizer';

/** SQL twin of atenaSchema + atenaMapper (sql-normalizer.ts). */
export function atenaSql(config: SourceSystemConfig): SqlNormalizer {
  const c = config.columns;
  const b = new CsvSqlBuilder(config.header);
  const { value, action } = checkedAction(b, config);
  const outcome = checkedOutcome(b, config);
  return b.build({
    ts_ms: b.check(c.ts, sqlIsoWithOffset()),
    user_id: b.check(c.userId, sqlRequired()),
    user_name: "''",
    department_code: b.check(c.departmentCode, sqlDigits(6)),
    terminal_id: b.check(c.terminalId, sqlRequired()),
    client_ip: "''",
    action,
    screen_id: "''",
    business_code: b.check(c.businessCode, sqlRequired()),
    subject_id: b.check(c.subjectId, sqlDigits(15, true)),
    my_number_shown: `has(${sqlStrings(config.myNumberShownValues)}, ${value})`,
    record_count: c.recordCount ? b.check(c.recordCount, sqlCount()) : '0',
    reason: "''",
    outcome,
    object: "''",
  });
}
