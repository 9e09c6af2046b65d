import { BadRequestException } from '@nestjs/common';
import { dateInputProblem, dateRangeProblem } from '@kansa/calendar';
import { firstIssueText, japaneseIssues } from '@kansa/domain';
import { z } from 'zod';

/**
 * A real calendar day YYYY-MM-DD (the one check of libs/calendar date-input,
 * shared with the CLI). The description is the documented form of the
 * OpenAPI document (date parameters are found by it).
 */
export const dayParam = z
  .string()
  .superRefine((value, ctx) => {
    const problem = dateInputProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe('YYYY-MM-DD');

/** A real month YYYY-MM. */
export const monthParam = z
  .string()
  .superRefine((value, ctx) => {
    const problem = dateInputProblem(value, 'month');
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe('YYYY-MM');

/** `from` after `to` is refused rather than answered with nothing. */
export function periodInOrder(q: { from?: string; to?: string }, ctx: z.RefinementCtx): void {
  const problem = q.from !== undefined && q.to !== undefined ? dateRangeProblem(q.from, 'to', q.to) : undefined;
  if (problem) ctx.addIssue({ code: 'custom', path: ['from'], message: problem });
}

/** `?rule=a&rule=b` or `?rule=a,b`. */
export const listParam = z.union([z.string(), z.array(z.string())]).transform((v) =>
  (Array.isArray(v) ? v : [v])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean),
);

/** Parses a query or body, or answers 400 naming the field, in Japanese (japaneseIssues); `whole` names the input. */
export function parseOr400<T extends z.ZodType>(schema: T, value: unknown, whole = '(query)'): z.infer<T> {
  const r = schema.safeParse(value ?? {}, { error: japaneseIssues });
  if (r.success) return r.data;
  throw new BadRequestException(firstIssueText(r.error, whole));
}
