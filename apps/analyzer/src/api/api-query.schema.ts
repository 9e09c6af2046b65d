import { BadRequestException } from '@nestjs/common';
import { FINDING_STATUSES } from '@kansa/domain';
import { z } from 'zod';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
/** `?rule=a&rule=b` or `?rule=a,b`. */
const list = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean));

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
  .strict();

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
  .refine((q) => Boolean(q.subject) !== Boolean(q.user), { message: 'subject か user のどちらか一方を指定してください (exactly one of subject, user)' });

/** Parses a query or body, or answers 400 naming the field. */
export function parseOr400<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue.path.length ? issue.path.join('.') : '(query)';
  throw new BadRequestException(`${field}: ${issue.message}`);
}
