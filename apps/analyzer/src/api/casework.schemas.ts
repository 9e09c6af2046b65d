import { z } from 'zod';
import { Case, CASE_STATES, CaseEvent, RepeatPattern } from '../casework/cases/case.model';
import { ExceptionRecord } from '../casework/exceptions/exception.model';

/**
 * The answers of the casework routes, for the OpenAPI document (so the
 * console's generated client has their exact types). Each is checked against
 * the model's interface by its annotation: a field added to the model and not
 * here fails the typecheck.
 */
const caseEventSchema: z.ZodType<CaseEvent> = z.object({
  caseId: z.string(),
  seq: z.number(),
  at: z.string(),
  by: z.string(),
  kind: z.enum(['opened', 'state', 'owner', 'note', 'link', 'unlink']),
  userId: z.string(),
  title: z.string(),
  state: z.string(),
  owner: z.string(),
  text: z.string(),
  findingId: z.string(),
});

export const caseSchema: z.ZodType<Case> = z.object({
  id: z.string(),
  userId: z.string(),
  title: z.string(),
  state: z.enum(CASE_STATES),
  owner: z.string(),
  outcome: z.string(),
  openedAt: z.string(),
  openedBy: z.string(),
  updatedAt: z.string(),
  findingIds: z.array(z.string()),
  timeline: z.array(caseEventSchema),
});

export const repeatPatternSchema: z.ZodType<RepeatPattern> = z.object({
  userId: z.string(),
  reasons: z.array(z.string()),
  months: z.array(z.string()),
  rules: z.array(z.string()),
  openCases: z.array(z.string()),
});

export const exceptionRecordSchema: z.ZodType<ExceptionRecord> = z.object({
  id: z.string(),
  version: z.number(),
  state: z.enum(['active', 'revoked']),
  rule: z.string(),
  userIds: z.array(z.string()),
  departments: z.array(z.string()),
  sources: z.array(z.string()),
  businessCodes: z.array(z.string()),
  validFrom: z.string(),
  validTo: z.string(),
  days: z.array(z.string()),
  maxCount: z.number().nullable(),
  reason: z.string(),
  reference: z.string(),
  requestedBy: z.string(),
  approvedBy: z.string(),
  changedAt: z.string(),
  changedBy: z.string(),
  note: z.string(),
});

export const exceptionListSchema = z.object({ exceptions: z.array(exceptionRecordSchema), expiring: z.array(exceptionRecordSchema) });
