/** The action vocabulary of normalized events (spec/sources.md). */
export const ACTIONS = [
  'login',
  'logout',
  'login_failure',
  'search',
  'view',
  'update',
  'issue',
  'print',
  'bulk_export',
  'export',
  'inquiry',
  'provide',
  'code_request',
  'unlock',
  'device_connect',
  'file_write_external',
  // Windows Security events (業務端末, source system windows; docs/collector.md "Windows")
  'network_login',
  'explicit_credentials',
  'account_lockout',
  'account_create',
  'account_enable',
  'account_disable',
  'account_delete',
  'account_change',
  'audit_log_clear',
  // a business record (業務記録, source `records`): why staff had reason to touch a resident, not an access itself
  'record',
] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * Actions that are not "access events" (spec/rules.md): a logout, a failed
 * login, an account locked out (by failures: the owner did nothing), and a
 * business record (no member of staff's access).
 */
export const NON_ACCESS_ACTIONS: readonly Action[] = ['logout', 'login_failure', 'account_lockout', 'record'];

export const SOURCES = ['jumin', 'atena', 'chukan', 'terminal'] as const;
export type BuiltinSource = (typeof SOURCES)[number];

/** Built-in systems in their usual order (住民記録, 統合宛名, 中間サーバー, 業務端末), then the configured ones by name. */
export function sourceOrder(a: string, b: string): number {
  const rank = (s: string) => {
    const i = (SOURCES as readonly string[]).indexOf(s);
    return i < 0 ? SOURCES.length : i;
  };
  return rank(a) - rank(b) || a.localeCompare(b);
}

/** Japanese names of the source systems, as users read them. */
export const SOURCE_TITLES: Record<BuiltinSource, string> = {
  jumin: '住民記録システム',
  atena: '団体内統合宛名システム',
  chukan: '中間サーバー',
  terminal: '業務端末',
};

/** Japanese names of the shipped configurable sources (config sources.*), beside the built-in four. */
export const CONFIGURED_SOURCE_TITLES: Readonly<Record<string, string>> = {
  windows: '業務端末（Windows イベントログ）',
  records: '業務記録',
};

/** 住民記録システム for 'jumin', 業務端末（Windows イベントログ） for 'windows'; another configured system by its ID. */
export function sourceTitle(source: string): string {
  return (SOURCE_TITLES as Record<string, string>)[source] ?? CONFIGURED_SOURCE_TITLES[source] ?? source;
}

/** A system as the command line names it: its name and the ID staff type as a flag (住民記録システム (jumin)); an unnamed one by its ID. */
export function sourceLabel(source: string): string {
  const title = sourceTitle(source);
  return title === source ? source : `${title} (${source})`;
}

/** 操作 (action) as staff read it in a table: the console, and the look-ups exported for a 開示請求. */
export const ACTION_TITLES: Readonly<Record<Action, string>> = {
  login: 'ログイン',
  logout: 'ログアウト',
  login_failure: 'ログイン失敗',
  search: '検索',
  view: '照会',
  update: '更新',
  issue: '証明書発行',
  print: '印刷・帳票',
  bulk_export: '一括出力',
  export: '出力',
  inquiry: '情報照会',
  provide: '情報提供',
  code_request: '符号取得',
  unlock: '画面ロック解除',
  device_connect: '外部媒体接続',
  file_write_external: '外部媒体へ書出し',
  network_login: 'ネットワークログオン',
  explicit_credentials: '別の資格情報でのログオン',
  account_lockout: 'アカウントのロックアウト',
  account_create: 'アカウント作成',
  account_enable: 'アカウント有効化',
  account_disable: 'アカウント無効化',
  account_delete: 'アカウント削除',
  account_change: 'アカウント変更',
  audit_log_clear: '監査ログの消去',
  record: '業務記録',
};

/** An action's title; an action kansa does not know by its code. */
export function actionTitle(action: string): string {
  return (ACTION_TITLES as Record<string, string>)[action] ?? action;
}
