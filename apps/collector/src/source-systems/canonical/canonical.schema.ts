import { normalizedEventSchema } from '@kansa/domain';
import { z } from 'zod';
import { parseIsoWithOffset } from '../shared/fields';

/**
 * Normalized events sent as they are (spec/sources.md §5): the domain schema,
 * with `source` limited to the configured systems.
 */
export function canonicalSchema(knownSources: readonly string[]) {
  return normalizedEventSchema
    .refine((e) => parseIsoWithOffset(e.ts) !== undefined, { path: ['ts'], message: '日時が不正です (ISO 8601、時差付き)' })
    .refine((e) => knownSources.includes(e.source), { path: ['source'], message: '未知のシステムです' });
}

export type CanonicalRecord = z.infer<typeof normalizedEventSchema>;
