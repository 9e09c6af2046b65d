import { SourceSystemConfig } from '@kansa/config/sections/sources.section';
import { z } from 'zod';
import { isoWithOffset } from '../shared/fields';
import { requireColumns } from '../shared/source-system';

export const CHUKAN_FIELDS = ['ts', 'userId', 'action', 'sourceEventId', 'recordCount', 'outcome'] as const;

const text = z.string({ error: '文字列ではありません' });
const present = z.string({ error: (i) => (i.input === undefined ? '値がありません' : '文字列ではありません') }).min(1, '値がありません');

/** 中間サーバー 操作ログ, one JSON object per line (spec/sources.md §3). Keys from configuration. */
export function chukanSchema(name: string, config: SourceSystemConfig) {
  requireColumns(name, config, CHUKAN_FIELDS);
  const c = config.columns;
  const actions = Object.keys(config.actions);
  const results = [...config.outcomes.success, ...config.outcomes.failure];
  const shape: Record<string, z.ZodType> = {
    [c.ts]: present.pipe(isoWithOffset()),
    [c.userId]: present,
    [c.action]: present.refine((v) => actions.includes(v), '未知のfuncです'),
    [c.sourceEventId]: present,
    [c.recordCount]: z
      .number({ error: (i) => (i.input === undefined ? '値がありません' : '数値ではありません') })
      .int('整数ではありません')
      .min(0, '0以上ではありません')
      .max(4294967295),
    [c.outcome]: present.refine((v) => results.includes(v), '未知のresultです'),
  };
  for (const f of ['terminalId', 'businessCode', 'object', 'screenId'] as const) if (c[f]) shape[c[f]] = text.optional();
  if (c.subjectId)
    shape[c.subjectId] = z
      .string()
      .regex(/^\d{15}$/, '15桁の数字ではありません')
      .optional();
  return z.object(shape);
}
