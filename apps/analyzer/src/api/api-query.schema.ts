import { FINDING_STATUSES } from '@kansa/domain';
import { dayParam as day, listParam as list, monthParam, periodInOrder } from '@kansa/service-shell';
import { RULES, unknownRulesText } from '@kansa/rules';
import { z } from 'zod';

export { parseOr400 } from '@kansa/service-shell';

/**
 * Rule IDs of a findings filter (`?rule=a&rule=b` or `?rule=a,b`): one of the catalogue's, disabled ones included
 * (their past findings stay). A mistyped ID is refused naming the known ones, not answered with no findings.
 */
const RULE_IDS = RULES.map((r) => r.id) as [string, ...string[]];
export const ruleListParam = list.pipe(z.array(z.enum(RULE_IDS, { error: (issue) => unknownRulesText([issue.input], RULE_IDS) })));

export const findingsQuerySchema = z
  .object({
    from: day.optional(),
    to: day.optional(),
    rule: ruleListParam.optional(),
    status: list.pipe(z.array(z.enum(FINDING_STATUSES))).optional(),
    userId: z.string().min(1).optional(),
    limit: z.coerce.number().int().min(1).max(100_000).optional(),
    purpose: z.string().max(500).optional(),
  })
  .strict()
  .superRefine(periodInOrder);

export const transitionBodySchema = z
  .object({
    to: z.enum(FINDING_STATUSES),
    comment: z.string().max(4000).default(''),
  })
  .strict();

export const eventsQuerySchema = z
  .object({
    subject: z.string().min(1).optional(),
    user: z.string().min(1).optional(),
    from: day.optional(),
    to: day.optional(),
    /** Why the events are read (開示請求 No., inquiry, investigation): required and recorded. */
    purpose: z.string().trim().min(2, '利用目的 (purpose) を記入してください').max(500),
    /** The request's reference (開示請求の受付番号), recorded with the read. */
    reference: z.string().trim().max(200).optional(),
    limit: z.coerce.number().int().min(1).max(100_000).optional(),
  })
  .strict()
  .refine((q) => Boolean(q.subject) !== Boolean(q.user), {
    message: 'subject か user のどちらか一方を指定してください (exactly one of subject, user)',
  })
  .superRefine(periodInOrder);

/** A report's month (path parameter `:month`), YYYY-MM. */
export const reportMonthSchema = z.object({ month: monthParam });
