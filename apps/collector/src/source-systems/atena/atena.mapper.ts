import { SourceSystemConfig } from '@kansa/config/sections/sources.section';
import { EventDraft } from '../shared/source-system';

/** 統合宛名 record → normalized event. 個人番号照会 means the 個人番号 was shown. */
export function atenaMapper(config: SourceSystemConfig): (r: Record<string, unknown>) => EventDraft {
  const c = config.columns;
  const shown = new Set(config.myNumberShownValues);
  const failure = new Set(config.outcomes.failure);
  return (r) => ({
    tsMs: r[c.ts] as number,
    userId: r[c.userId] as string,
    userName: '',
    departmentCode: r[c.departmentCode] as string,
    terminalId: r[c.terminalId] as string,
    clientIp: '',
    action: config.actions[r[c.action] as string],
    screenId: '',
    businessCode: r[c.businessCode] as string,
    subjectId: c.subjectId ? (r[c.subjectId] as string) : '',
    myNumberShown: shown.has(r[c.action] as string),
    recordCount: c.recordCount ? (r[c.recordCount] as number) : 0,
    reason: '',
    outcome: failure.has(r[c.outcome] as string) ? 'failure' : 'success',
    object: '',
    sourceEventId: '',
  });
}
