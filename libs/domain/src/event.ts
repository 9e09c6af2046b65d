import { z } from 'zod';
import { ACTIONS } from './actions';

/**
 * The normalized event (spec/sources.md §5), as every source system maps to it
 * and as canonical senders send it. camelCase here; snake_case in ClickHouse.
 */
export const normalizedEventSchema = z
  .object({
    ts: z.iso.datetime({ offset: true, local: false }),
    source: z.string().regex(/^[a-z][a-z0-9_-]*$/, 'lower-case system name'),
    instance: z.string().default(''),
    userId: z.string().min(1),
    userName: z.string().default(''),
    departmentCode: z.string().default(''),
    terminalId: z.string().default(''),
    clientIp: z.string().default(''),
    action: z.enum(ACTIONS),
    screenId: z.string().default(''),
    businessCode: z.string().default(''),
    subjectId: z.string().default(''),
    myNumberShown: z.boolean().default(false),
    recordCount: z.number().int().min(0).default(0),
    reason: z.string().default(''),
    outcome: z.enum(['success', 'failure']).default('success'),
    object: z.string().default(''),
    sourceEventId: z.string().default(''),
  })
  .strict();

export type NormalizedEvent = z.infer<typeof normalizedEventSchema>;
