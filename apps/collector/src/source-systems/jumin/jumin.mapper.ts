import { SourceSystemConfig } from '@kansa/config/sections/sources.section';
import { EventDraft } from '../shared/source-system';

/** 住民記録 record (validated, keyed by header) → normalized event. */
export function juminMapper(config: SourceSystemConfig): (r: Record<string, unknown>) => EventDraft {
  const c = config.columns;
  const shown = new Set(config.myNumberShownValues);
  const failure = new Set(config.outcomes.failure);
  const text = (key: string | undefined, r: Record<string, unknown>) => (key ? (r[key] as string) : '');
  return (r) => ({
    tsMs: r[c.ts] as number,
    userId: r[c.userId] as string,
    userName: text(c.userName, r),
    departmentCode: r[c.departmentCode] as string,
    terminalId: r[c.terminalId] as string,
    clientIp: text(c.clientIp, r),
    action: config.actions[r[c.action] as string],
    screenId: text(c.screenId, r),
    businessCode: '',
    subjectId: text(c.subjectId, r),
    myNumberShown: c.myNumberShown ? shown.has(r[c.myNumberShown] as string) : false,
    recordCount: c.recordCount ? (r[c.recordCount] as number) : 0,
    reason: text(c.reason, r),
    outcome: failure.has(r[c.outcome] as string) ? 'failure' : 'success',
    object: '',
    sourceEventId: '',
  });
}
