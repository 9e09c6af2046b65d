import { SourceSystemConfig } from '@kansa/config/sections/sources.section';
import { z } from 'zod';
import { countText, digits, isoWithOffset, oneOf, required } from '../shared/fields';
import { requireColumns } from '../shared/source-system';

export const ATENA_FIELDS = ['ts', 'userId', 'departmentCode', 'terminalId', 'businessCode', 'action', 'outcome'] as const;
export const ATENA_OPTIONAL = ['subjectId', 'recordCount'] as const;

/** 団体内統合宛名システム 情報照会ログ (spec/sources.md §2). */
export function atenaSchema(name: string, config: SourceSystemConfig) {
  requireColumns(name, config, ATENA_FIELDS, ATENA_OPTIONAL);
  const c = config.columns;
  const shape: Record<string, z.ZodType> = {
    [c.ts]: isoWithOffset(),
    [c.userId]: required(),
    [c.departmentCode]: digits(6),
    [c.terminalId]: required(),
    [c.businessCode]: required(),
    [c.action]: oneOf(Object.keys(config.actions), '照会種別'),
    [c.outcome]: oneOf([...config.outcomes.success, ...config.outcomes.failure], '結果'),
  };
  if (c.subjectId) shape[c.subjectId] = digits(15, true);
  if (c.recordCount) shape[c.recordCount] = countText();
  return z.object(shape);
}
