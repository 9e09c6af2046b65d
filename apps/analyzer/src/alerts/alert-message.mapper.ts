import { SEVERITY_TITLES, type Severity } from '@kansa/domain';
import type { FindingView } from '../findings/findings.types';
import { AUDIT_KINDS, AuditChange, AuditKind } from '@kansa/audit-trail';

/**
 * What an alert may say about a finding. Deliberately no subject, summary,
 * details or evidence: resident identifiers and watchlist categories stay in
 * kansa. Staff follow the finding ID into kansa to see the rest.
 */
export interface AlertItem {
  findingId: string;
  rule: string;
  ruleTitle: string;
  severity: Severity;
  severityTitle: string;
  userId: string;
  day: string;
  firstAt: string | null;
  lastAt: string | null;
  count: number;
  detectedAt: string;
  link: string;
}

export interface AlertMessage {
  subject: string;
  text: string;
  /** The webhook body. */
  json: FindingsAlertJson | { kind: 'kansa.audit'; messageId: string; change: AuditAlertItem };
}

export interface FindingsAlertJson {
  kind: 'kansa.findings';
  digest: boolean;
  messageId: string;
  findings: AlertItem[];
}

/** What an audit alert says: the change as recorded (its summary and parts never carry resident data). */
export interface AuditAlertItem {
  changeId: string;
  kind: string;
  kindTitle: string;
  subject: string;
  summary: string;
  at: string;
  actor: string;
  origin: string;
}

/** What an audit alert says of a change of the audit trail. */
export function toAuditAlertItem(change: AuditChange): AuditAlertItem {
  return {
    changeId: change.changeId,
    kind: change.kind,
    kindTitle: AUDIT_KINDS[change.kind as AuditKind] ?? change.kind,
    subject: change.subject,
    summary: change.summary,
    at: change.at.slice(0, 19),
    actor: change.actor,
    origin: change.origin,
  };
}

/** One message to the 監査担当 for one change of the audit trail. */
export function composeAuditAlert(item: AuditAlertItem, messageId: string): AlertMessage {
  return {
    subject: `[kansa 監査] ${item.kindTitle}: ${item.subject}`,
    text: [
      '監査 kansa からの通知です（監査担当あて）。検知の仕組みそのものに変更・異常がありました。',
      '',
      `種類: ${item.kindTitle} (${item.kind})`,
      `内容: ${item.summary}`,
      `日時: ${item.at} (日本時間)`,
      `実施者: ${item.actor}`,
      `場所: ${item.origin}`,
      `記録ID: ${item.changeId}`,
      '',
      'kansa の監査ログ (kansa audit log) で変更前後の内容を確認してください。この通知は監査担当の宛先にだけ送られます。',
    ].join('\n'),
    json: { kind: 'kansa.audit', messageId, change: item },
  };
}

export function toAlertItem(f: FindingView, consoleUrl: string): AlertItem {
  return {
    findingId: f.id,
    rule: f.rule,
    ruleTitle: f.ruleTitle,
    severity: f.severity,
    severityTitle: SEVERITY_TITLES[f.severity],
    userId: f.userId,
    day: f.day,
    firstAt: minute(f.firstAt),
    lastAt: minute(f.lastAt),
    count: f.count,
    detectedAt: minute(f.detectedAt) ?? f.detectedAt,
    link: consoleUrl ? `${consoleUrl.replace(/\/$/, '')}/findings/${f.id}` : '',
  };
}

/** One message: a single finding, or a digest of several (digest = true). */
export function composeAlert(items: readonly AlertItem[], digest: boolean, messageId: string): AlertMessage & { json: FindingsAlertJson } {
  const json = { kind: 'kansa.findings' as const, digest, messageId, findings: [...items] };
  if (!digest) {
    const it = items[0];
    return {
      subject: `[kansa] 重要度「${it.severityTitle}」${it.ruleTitle} — 職員 ${it.userId || '(不明)'} ${it.day}`,
      text: ['監査 kansa からの通知です。確認が必要な検知がありました。', '', ...describe(it), '', footer(it.link)].join('\n'),
      json,
    };
  }
  const lines: string[] = [`監査 kansa からの通知です。確認が必要な検知が ${items.length} 件あります。`, ''];
  items.forEach((it, i) => {
    lines.push(`■ ${i + 1}/${items.length}`, ...describe(it), '');
  });
  lines.push(footer(''));
  const top = items.map((i) => i.severity).includes('critical') ? '重大' : items[0].severityTitle;
  return { subject: `[kansa] 検知 ${items.length} 件 (重要度「${top}」を含む)`, text: lines.join('\n'), json };
}

function describe(it: AlertItem): string[] {
  const when = it.firstAt && it.lastAt && it.firstAt !== it.lastAt ? `${it.firstAt} 〜 ${it.lastAt}` : (it.firstAt ?? it.day);
  return [
    `ルール: ${it.ruleTitle} (${it.rule})`,
    `重要度: ${it.severityTitle}`,
    `職員ID: ${it.userId || '(不明)'}`,
    `日時: ${when} (日本時間)`,
    `件数: ${it.count}`,
    `指摘ID: ${it.findingId}`,
    ...(it.link ? [`確認: ${it.link}`] : []),
  ];
}

function footer(link: string): string {
  return [
    link ? '' : '詳細は kansa の検知結果一覧 (kansa findings、または GET /api/findings/<指摘ID>) で確認してください。',
    'このメッセージには住民を特定する情報は含まれていません。',
  ]
    .filter(Boolean)
    .join('\n');
}

/** 'YYYY-MM-DD HH:mm:ss.SSS' → 'YYYY-MM-DD HH:mm' (JST as stored). */
function minute(ts: string | null): string | null {
  return ts ? ts.slice(0, 16) : null;
}
