/** ClickHouse table names: referenced only through these constants. */
export const TABLES = {
  migrations: 'schema_migrations',
  events: 'events',
  quarantine: 'quarantine',
  eventsApart: 'events_apart',
  importBatches: 'import_batches',
  commitIntents: 'commit_intents',
  setAsideBatches: 'set_aside_batches',
  masterVersions: 'master_versions',
  staff: 'master_staff',
  leaves: 'master_leaves',
  accounts: 'master_accounts',
  overtime: 'master_overtime',
  watchlist: 'master_watchlist',
  permissions: 'master_permissions',
  residents: 'master_residents',
  calendar: 'master_calendar',
  assignments: 'master_assignments',
  calendarDays: 'calendar_days',
  findings: 'findings',
  findingTransitions: 'finding_transitions',
  analysisRuns: 'analysis_runs',
  analysisLedger: 'analysis_ledger',
  /** What a rule's prepare step last wrote per day, and what it read then (migration 160). */
  preparedDays: 'prepared_days',
  reports: 'reports',
  reportFinalisations: 'report_finalisations',
  /** Reports that could not be made, and why (migration 250). */
  reportFailures: 'report_failures',
  integrityChecks: 'integrity_checks',
  /** kansa's own audit log (監査ログ): every use of kansa, reads of personal data with their purpose (migration 101). */
  apiAccessLog: 'api_access_log',
  alertDeliveries: 'alert_deliveries',
  users: 'users',
  sessions: 'sessions',
  findingAssignments: 'finding_assignments',
  auditChanges: 'audit_changes',
  exceptions: 'exceptions',
  caseEvents: 'case_events',
  clockMarks: 'clock_marks',
  accessExplanations: 'access_explanations',
} as const;
export type TableName = (typeof TABLES)[keyof typeof TABLES];

/** Per-batch staging tables of the collector: `<prefix><batch id>` (events) and `<prefix>q_<batch id>` (quarantine), dropped when the batch ends. */
export const INGEST_STAGING_PREFIX = 'ingest_staging_';
