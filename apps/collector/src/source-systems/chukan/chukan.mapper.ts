import { SourceSystemConfig } from '@kansa/config/sections/sources.section';
import { EventDraft } from '../shared/source-system';

/**
 * 中間サーバー object → normalized event. `serial` (処理通番) is the identity;
 * `partner` (照会先/提供先) goes to `object`, `item` (特定個人情報 item code) to `screenId`.
 */
export function chukanMapper(config: SourceSystemConfig): (r: Record<string, unknown>) => EventDraft {
  const c = config.columns;
  const failure = new Set(config.outcomes.failure);
  const opt = (key: string | undefined, r: Record<string, unknown>) => (key ? ((r[key] as string | undefined) ?? '') : '');
  return (r) => ({
    tsMs: r[c.ts] as number,
    userId: r[c.userId] as string,
    userName: '',
    departmentCode: '',
    terminalId: opt(c.terminalId, r),
    clientIp: '',
    action: config.actions[r[c.action] as string],
    screenId: opt(c.screenId, r),
    businessCode: opt(c.businessCode, r),
    subjectId: opt(c.subjectId, r),
    myNumberShown: false,
    recordCount: r[c.recordCount] as number,
    reason: '',
    outcome: failure.has(r[c.outcome] as string) ? 'failure' : 'success',
    object: opt(c.object, r),
    sourceEventId: r[c.sourceEventId] as string,
  });
}
