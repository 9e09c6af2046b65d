import { BadRequestException } from '@nestjs/common';
import { dateInputProblem, dateRangeProblem } from '@kansa/calendar';
import { FINDING_STATUSES } from '@kansa/domain';
import { z } from 'zod';

/** A real calendar day YYYY-MM-DD (the one check of libs/calendar date-input, shared with the CLI). */
export const day = z.string().superRefine((value, ctx) => {
  const problem = dateInputProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** `from` after `to` is refused rather than answered with nothing. */
export function periodInOrder(q: { from?: string; to?: string }, ctx: z.RefinementCtx): void {
  const problem = q.from !== undefined && q.to !== undefined ? dateRangeProblem(q.from, 'to', q.to) : undefined;
  if (problem) ctx.addIssue({ code: 'custom', path: ['from'], message: problem });
}
/** `?rule=a&rule=b` or `?rule=a,b`. */
export const list = z.union([z.string(), z.array(z.string())]).transform((v) =>
  (Array.isArray(v) ? v : [v])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean),
);

export const findingsQuerySchema = z
  .object({
    from: day.optional(),
    to: day.optional(),
    rule: list.optional(),
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
    limit: z.coerce.number().int().min(1).max(100_000).optional(),
  })
  .strict()
  .refine((q) => Boolean(q.subject) !== Boolean(q.user), {
    message: 'subject か user のどちらか一方を指定してください (exactly one of subject, user)',
  })
  .superRefine(periodInOrder);

/** A report's month (path parameter `:month`), YYYY-MM. */
export const month = z.string().superRefine((value, ctx) => {
  const problem = dateInputProblem(value, 'month');
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
export const reportMonthSchema = z.object({ month });

/** Parses a query or body, or answers 400 naming the field. */
export function parseOr400<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue.path.length ? issue.path.join('.') : '(query)';
  throw new BadRequestException(`${field}: ${issue.message}`);
}
