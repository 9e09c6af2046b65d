import { SourceSystemConfig } from '@kansa/config/sections/sources.section';
import { z } from 'zod';
import { ipv4, jstWallClock, oneOf, optionalText, required } from '../shared/fields';
import { requireColumns } from '../shared/source-system';

export const TERMINAL_FIELDS = ['ts', 'terminalId', 'userId', 'action'] as const;
export const TERMINAL_OPTIONAL = ['clientIp', 'reason', 'object', 'fileName', 'size'] as const;

/** 業務端末ログ (spec/sources.md §4). ユーザー is `DOMAIN\ID`; サイズ may be empty. */
export function terminalSchema(name: string, config: SourceSystemConfig) {
  requireColumns(name, config, TERMINAL_FIELDS, TERMINAL_OPTIONAL);
  const c = config.columns;
  const shape: Record<string, z.ZodType> = {
    [c.ts]: jstWallClock('dash'),
    [c.terminalId]: required(),
    [c.userId]: required().refine((v) => v.slice(v.lastIndexOf('\\') + 1) !== '', '職員IDがありません'),
    [c.action]: oneOf(Object.keys(config.actions), '操作種別'),
  };
  if (c.clientIp) shape[c.clientIp] = ipv4(true);
  if (c.reason) shape[c.reason] = optionalText();
  if (c.object) shape[c.object] = optionalText();
  if (c.fileName) shape[c.fileName] = optionalText();
  if (c.size) shape[c.size] = z.string().regex(/^\d*$/, '0以上の整数ではありません');
  return z.object(shape);
}
