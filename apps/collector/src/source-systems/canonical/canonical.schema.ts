import { normalizedEventSchema } from '@kansa/domain';
import { z } from 'zod';
import { parseIsoWithOffset } from '../shared/fields';

/**
 * Normalized events sent as they are (spec/sources.md §5): the domain schema,
 * with `source` limited to the configured systems. A business record (業務記録)
 * may come the same way: `source` a records system, `action: "record"`, no
 * `userId`, `departmentCode` (所属コード), `subjectId` (宛名番号 or
 * 統合宛名番号; the other one may go in `object`), `reason` (種別) and
 * `sourceEventId` (受付番号).
 */
export function canonicalSchema(knownSources: readonly string[], recordSources: readonly string[] = []) {
  const isRecord = (e: { source: string; action: string }) => e.action === 'record' || recordSources.includes(e.source);
  return normalizedEventSchema
    .extend({ userId: z.string().default('') })
    .refine((e) => parseIsoWithOffset(e.ts) !== undefined, { path: ['ts'], message: '日時が不正です (ISO 8601、時差付き)' })
    .refine((e) => knownSources.includes(e.source), { path: ['source'], message: '未知のシステムです' })
    .refine((e) => isRecord(e) || e.userId !== '', { path: ['userId'], message: '値がありません' })
    .refine((e) => !isRecord(e) || (e.action === 'record' && recordSources.includes(e.source)), {
      path: ['action'],
      message: '業務記録は業務記録のシステム（records）に action "record" で送ります',
    })
    .refine((e) => !isRecord(e) || /^\d{6}$/.test(e.departmentCode), { path: ['departmentCode'], message: '所属コードは6桁の数字です' })
    .refine((e) => !isRecord(e) || /^(\d{10}|\d{15})$/.test(e.subjectId), {
      path: ['subjectId'],
      message: '宛名番号（10桁）か統合宛名番号（15桁）が必要です',
    })
    .refine((e) => !isRecord(e) || e.sourceEventId !== '', { path: ['sourceEventId'], message: '受付番号がありません' });
}

export type CanonicalRecord = z.infer<ReturnType<typeof canonicalSchema>>;
