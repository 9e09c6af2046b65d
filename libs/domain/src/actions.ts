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
  // a business record (業務記録, source `records`): why staff had reason to touch a resident, not an access itself
  'record',
] as const;
export type Action = (typeof ACTIONS)[number];

/** Actions that are not "access events" (spec/rules.md); a business record is no member of staff's access. */
export const NON_ACCESS_ACTIONS: readonly Action[] = ['logout', 'login_failure', 'record'];

export const SOURCES = ['jumin', 'atena', 'chukan', 'terminal'] as const;
export type BuiltinSource = (typeof SOURCES)[number];

/** Japanese names of the source systems, as users read them. */
export const SOURCE_TITLES: Record<BuiltinSource, string> = {
  jumin: '住民記録システム',
  atena: '団体内統合宛名システム',
  chukan: '中間サーバー',
  terminal: '業務端末',
};
