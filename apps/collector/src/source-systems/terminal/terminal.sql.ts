import { SourceSystemConfig } from '@kansa/config/sections/sources.section';
import { checkedAction, sqlIpv4, sqlJstWallClock, sqlMatches, sqlRequired, sqlText } from '../shared/fields.sql';
import { CsvSqlBuilder, SqlNormalizer } from '../shared/sql-normalizer';

/** SQL twin of terminalSchema + terminalMapper (sql-normalizer.ts): the domain is stripped from ユーザー. */
export function terminalSql(config: SourceSystemConfig): SqlNormalizer {
  const c = config.columns;
  const b = new CsvSqlBuilder(config.header);
  const { action } = checkedAction(b, config);
  // The ID after the last backslash, which must not be empty.
  const userId = `arrayElement(splitByChar('\\\\', ${b.check(c.userId, sqlRequired())}), -1)`;
  b.check(c.userId, { ok: () => `${userId} != ''`, value: (x) => x });
  if (c.size) b.check(c.size, sqlMatches('^\\\\d*$'));
  const object = b.check(c.object, sqlText());
  const fileName = b.check(c.fileName, sqlText());
  return b.build({
    ts_ms: b.check(c.ts, sqlJstWallClock('dash')),
    user_id: userId,
    user_name: "''",
    department_code: "''",
    terminal_id: b.check(c.terminalId, sqlRequired()),
    client_ip: b.check(c.clientIp, sqlIpv4(true)),
    action,
    screen_id: "''",
    business_code: "''",
    subject_id: "''",
    my_number_shown: 'false',
    record_count: '0',
    reason: b.check(c.reason, sqlText()),
    outcome: `if(${action} = 'login_failure', 'failure', 'success')`,
    object: `if(${object} != '', ${object}, ${fileName})`,
  });
}
