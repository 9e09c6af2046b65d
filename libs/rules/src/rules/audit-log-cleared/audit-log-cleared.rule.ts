import { z } from 'zod';
import { ALL_EVENTS, defineRule } from '../../core/define-rule';
import { EvidenceRow, fmt, num, span } from '../../core/finding';
import { accountsParam, evidence, inWindow, staffEvents, windowParams } from '../../core/sql';

interface Row extends Omit<EvidenceRow, 'user_id'> {
  terminal: string;
  users: string[];
  logs: string[];
}

const params = z.object({}).strict();

export default defineRule<z.infer<typeof params>, Row>({
  id: 'audit-log-cleared',
  title: '監査ログの消去',
  version: 1,
  revision: 1,
  severity: 'critical',
  guideline: 'アクセス記録の保存と改ざん防止（端末の監査ログの消去の検知）',
  description:
    '業務端末の Windows 監査ログ（セキュリティログ、またはシステムログ等のイベントログ）が消去されたものです（セキュリティ 1102、システム 104）。' +
    '消去の前の操作記録は端末に残っていません。誰が何のために消去したかを直ちに確認し、保存済みのログと照合してください。',
  explain: {
    sentence: () => '業務端末の Windows 監査ログ（セキュリティログ・システムログ等）が消去されたもの（端末・日ごとに1件）',
    count: { of: '消去の回数', unit: '回' },
  },
  // every source: an audit_log_clear counts whichever system logged it
  reads: { events: ALL_EVENTS, masters: ['accounts'], lookbackDays: 0 },
  params,
  query: (ctx) => ({
    query: `
SELECT * REPLACE (toString(day) AS day) FROM (
  SELECT day, toString(terminal_id) AS terminal, groupUniqArray(20)(toString(user_id)) AS users,
    groupUniqArray(20)(object) AS logs, ${evidence()}
  FROM ${staffEvents(`${inWindow()} AND action = 'audit_log_clear'`)}
  GROUP BY day, terminal_id
)
ORDER BY day, terminal`,
    query_params: { ...windowParams(ctx), ...accountsParam(ctx) },
  }),
  toFinding: (row) => ({
    day: row.day,
    userId: row.users.length === 1 ? row.users[0] : '',
    subject: `terminal:${row.terminal}`,
    count: num(row.evidence_total),
    firstAt: row.first_at,
    lastAt: row.last_at,
    summary: `端末 ${row.terminal} の監査ログ（${row.logs.join('・')}）が消去された ${fmt(num(row.evidence_total))} 回（${span(row.first_at, row.last_at)}、${row.users.join('・')}）`,
    details: { terminal: row.terminal, users: row.users, logs: row.logs },
    evidenceIds: row.evidence_ids,
    evidenceTotal: num(row.evidence_total),
  }),
});
