import { SourceSystemConfig } from '@kansa/config/sections/sources.section';
import { z } from 'zod';
import { digits, jstWallClock, optionalText, required } from '../shared/fields';
import { requireColumns, SourceConfigError } from '../shared/source-system';

export const RECORDS_FIELDS = ['ts', 'departmentCode', 'kind', 'receiptNo'] as const;
export const RECORDS_OPTIONAL = ['businessCode', 'subjectId', 'integratedId'] as const;

/**
 * 業務記録 (spec/sources.md "Business records and assignments"): a business
 * record received by a department for a resident. At least one of 宛名番号 /
 * 統合宛名番号; 受付番号 identifies the record within its department.
 */
export function recordsSchema(name: string, config: SourceSystemConfig) {
  requireColumns(name, config, RECORDS_FIELDS, RECORDS_OPTIONAL);
  const c = config.columns;
  if (!c.subjectId && !c.integratedId) {
    throw new SourceConfigError(`sources.${name}.columns: subjectId (宛名番号) or integratedId (統合宛名番号) is required`);
  }
  const shape: Record<string, z.ZodType> = {
    [c.ts]: jstWallClock('slash'),
    [c.departmentCode]: digits(6),
    [c.kind]: required(),
    [c.receiptNo]: required().max(64, '64文字までです'),
  };
  if (c.businessCode) shape[c.businessCode] = optionalText();
  if (c.subjectId) shape[c.subjectId] = digits(10, true);
  if (c.integratedId) shape[c.integratedId] = digits(15, true);
  const first = c.subjectId || c.integratedId;
  return z.object(shape).refine((r) => Boolean((c.subjectId && r[c.subjectId]) || (c.integratedId && r[c.integratedId])), {
    path: [first],
    message: '宛名番号か統合宛名番号のどちらかが必要です',
  });
}
