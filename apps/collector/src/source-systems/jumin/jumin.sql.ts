import { SourceSystemConfig } from '@kansa/config/sections/sources.section';
import {
  checkedAction,
  checkedOutcome,
  sqlCount,
  sqlDigits,
  sqlIpv4,
  sqlJstWallClock,
  sqlOneOf,
  sqlRequired,
  sqlText,
} from '../shared/fields.sql';
import { CsvSqlBuilder, SqlNormalizer, sqlStrings } from '../shared/sql-normalizer';

/** SQL twin of juminSchema + juminMapper (sql-normalizer.ts). */
export function juminSql(config: SourceSystemConfig): SqlNormalizer {
  const c = config.columns;
  const b = new CsvSqlBuilder(config.header);
  const { action } = checkedAction(b, config);
  const outcome = checkedOutcome(b, config);
  const shown = b.check(c.myNumberShown, sqlOneOf(['有', '無', ...config.myNumberShownValues]));
  return b.build({
    ts_ms: b.check(c.ts, sqlJstWallClock('slash')),
    user_id: b.check(c.userId, sqlRequired()),
    user_name: b.check(c.userName, sqlText()),
    department_code: b.check(c.departmentCode, sqlDigits(6)),
    terminal_id: b.check(c.terminalId, sqlRequired()),
    client_ip: b.check(c.clientIp, sqlIpv4(true)),
    action,
    screen_id: b.check(c.screenId, sqlText()),
    business_code: "''",
    subject_id: b.check(c.subjectId, sqlDigits(10, true)),
    my_number_shown: c.myNumberShown ? `has(${sqlStrings(config.myNumberShownValues)}, ${shown})` : 'false',
    record_count: c.recordCount ? b.check(c.recordCount, sqlCount()) : '0',
    reason: b.check(c.reason, sqlText()),
    outcome,
    object: "''",
  });
}
