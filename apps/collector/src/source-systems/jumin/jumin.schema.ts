import { SourceSystemConfig } from '@kansa/config/sections/sources.section';
import { z } from 'zod';
import { countText, digits, ipv4, jstWallClock, oneOf, optionalText, required } from '../shared/fields';
import { requireColumns } from '../shared/source-system';

export const JUMIN_FIELDS = ['ts', 'userId', 'departmentCode', 'terminalId', 'action', 'outcome'] as const;
export const JUMIN_OPTIONAL = ['userName', 'clientIp', 'screenId', 'subjectId', 'myNumberShown', 'reason', 'recordCount'] as const;

/** 住民記録システム 操作ログ (spec/sources.md §1), keyed by the configured headers. */
export function juminSchema(name: string, config: SourceSystemConfig) {
  requireColumns(name, config, JUMIN_FIELDS, JUMIN_OPTIONAL);
  const c = config.columns;
  const shape: Record<string, z.ZodType> = {
    [c.ts]: jstWallClock('slash'),
    [c.userId]: required(),
    [c.departmentCode]: digits(6),
    [c.terminalId]: required(),
    [c.action]: oneOf(Object.keys(config.actions), '処理区分'),
    [c.outcome]: oneOf([...config.outcomes.success, ...config.outcomes.failure], '処理結果'),
  };
  if (c.userName) shape[c.userName] = optionalText();
  if (c.clientIp) shape[c.clientIp] = ipv4(true);
  if (c.screenId) shape[c.screenId] = optionalText();
  if (c.subjectId) shape[c.subjectId] = digits(10, true);
  if (c.myNumberShown) shape[c.myNumberShown] = oneOf(['有', '無', ...config.myNumberShownValues], '個人番号表示');
  if (c.reason) shape[c.reason] = optionalText();
  if (c.recordCount) shape[c.recordCount] = countText();
  return z.object(shape);
}
