import { FINDING_STATUSES, SEVERITIES } from '@kansa/domain';
import { z } from 'zod';

/**
 * The answers of the console's read models, as zod schemas: the OpenAPI
 * description is made from them (so the console's generated client has their
 * exact types) and the services' return types are inferred from them.
 */

export const findingRowSchema = z.object({
  id: z.string(),
  rule: z.string(),
  ruleTitle: z.string(),
  severity: z.enum(SEVERITIES),
  day: z.string(),
  userId: z.string(),
  staffName: z.string(),
  departmentCode: z.string(),
  departmentName: z.string(),
  subject: z.string(),
  count: z.number(),
  summary: z.string(),
  firstAt: z.string().nullable(),
  lastAt: z.string().nullable(),
  status: z.enum(FINDING_STATUSES),
  reviewedBy: z.string(),
  reviewedAt: z.string().nullable(),
  assignee: z.string(),
  evidenceIds: z.array(z.string()),
});
export type FindingRow = z.infer<typeof findingRowSchema>;

export const findingPageSchema = z.object({ total: z.number(), page: z.number(), pageSize: z.number(), items: z.array(findingRowSchema) });
export type FindingPage = z.infer<typeof findingPageSchema>;

export const accessEventSchema = z.object({
  eventId: z.string(),
  ts: z.string(),
  source: z.string(),
  userId: z.string(),
  userName: z.string(),
  departmentCode: z.string(),
  terminalId: z.string(),
  action: z.string(),
  screenId: z.string(),
  businessCode: z.string(),
  subjectId: z.string(),
  myNumberShown: z.boolean(),
  recordCount: z.number(),
  reason: z.string(),
  outcome: z.string(),
});

export const eventLookupSchema = z.object({ matched: z.array(z.string()), total: z.number(), events: z.array(accessEventSchema) });

export const ruleSchema = z.object({
  id: z.string(),
  title: z.string(),
  version: z.number(),
  severity: z.enum(SEVERITIES),
  guideline: z.string(),
  description: z.string(),
  params: z.record(z.string(), z.unknown()),
  reads: z.object({ events: z.array(z.string()), masters: z.array(z.string()), lookbackDays: z.number() }),
});
export type RuleView = z.infer<typeof ruleSchema>;

export const transitionSchema = z.object({
  at: z.string(),
  by: z.string(),
  from: z.enum(FINDING_STATUSES),
  to: z.enum(FINDING_STATUSES),
  comment: z.string(),
});

export const findingDetailSchema = z.object({
  finding: findingRowSchema.extend({
    details: z.record(z.string(), z.unknown()),
    params: z.record(z.string(), z.unknown()),
    evidenceTotal: z.number(),
    ruleVersion: z.number(),
    window: z.object({ from: z.string(), to: z.string() }),
    detectedAt: z.string(),
    comment: z.string().nullable(),
  }),
  allowedTransitions: z.array(z.enum(FINDING_STATUSES)),
  history: z.array(transitionSchema),
  rule: ruleSchema.nullable(),
  evidence: eventLookupSchema,
  otherFindings: z.array(findingRowSchema),
});
export type FindingDetail = z.infer<typeof findingDetailSchema>;

export const dashboardSchema = z.object({
  month: z.string(),
  fromDay: z.string(),
  toDay: z.string(),
  byRule: z.array(z.object({ rule: z.string(), title: z.string(), severity: z.enum(SEVERITIES), total: z.number(), open: z.number() })),
  bySeverity: z.array(z.object({ severity: z.enum(SEVERITIES), total: z.number(), open: z.number() })),
  open: z.number(),
  decided: z.number(),
  trend: z.array(z.object({ month: z.string(), low: z.number(), medium: z.number(), high: z.number(), critical: z.number() })),
  coverage: z.object({
    sources: z.array(z.object({ source: z.string(), title: z.string() })),
    days: z.array(z.string()),
    /** One state per source and day: analysed | late (logs not yet analysed) | missing (no logs on a business day) | closed (閉庁日 without logs) | future. */
    cells: z.array(
      z.object({
        source: z.string(),
        day: z.string(),
        state: z.enum(['analysed', 'late', 'missing', 'closed', 'future']),
        events: z.number(),
      }),
    ),
  }),
  lastImports: z.array(z.object({ source: z.string(), at: z.string(), lines: z.number(), origin: z.string() })),
  alerts: z.object({
    byStatus: z.array(z.object({ channel: z.string(), status: z.string(), n: z.number() })),
    recent: z.array(
      z.object({ at: z.string(), channel: z.string(), status: z.string(), rule: z.string(), severity: z.string(), subject: z.string() }),
    ),
  }),
});
export type Dashboard = z.infer<typeof dashboardSchema>;

export const optionsSchema = z.object({
  rules: z.array(z.object({ id: z.string(), title: z.string() })),
  /** The systems whose operations a finding or an exception can be about: the four, then those configured (not business records). */
  sources: z.array(z.object({ id: z.string(), title: z.string() })),
  departments: z.array(z.object({ code: z.string(), name: z.string() })),
  assignees: z.array(z.object({ name: z.string(), role: z.string(), departments: z.array(z.string()) })),
});

export const masterVersionSchema = z.object({
  master: z.string(),
  version: z.number(),
  effectiveFrom: z.string(),
  loadedAt: z.string(),
  fileName: z.string(),
  fileSha256: z.string(),
  rows: z.number(),
});

export const masterPreviewSchema = z.object({
  valid: z.boolean(),
  files: z.array(
    z.object({
      file: z.string(),
      master: z.string().nullable(),
      rows: z.number(),
      errors: z.array(z.object({ line: z.number(), column: z.string().optional(), value: z.string().optional(), message: z.string() })),
    }),
  ),
});

export const masterLoadSchema = z.object({
  loaded: z.array(z.object({ master: z.string(), file: z.string(), rows: z.number(), version: z.number(), effectiveFrom: z.string() })),
});

/** Last month's report for GET /api/reports/status: made, overdue, and why the automatic run failed. */
export const reportStatusSchema = z.object({
  month: z.string(),
  made: z.boolean(),
  overdue: z.boolean(),
  deadlineDay: z.number(),
  automatic: z.boolean(),
  lastFailure: z.object({ month: z.string(), at: z.string(), trigger: z.string(), format: z.string(), message: z.string() }).nullable(),
});

export const reportListingSchema = z.object({
  month: z.string(),
  format: z.string(),
  bytes: z.number(),
  sha256: z.string(),
  dataDigest: z.string(),
  complete: z.boolean(),
  findings: z.number(),
  trigger: z.string(),
  madeAt: z.string(),
});
