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
