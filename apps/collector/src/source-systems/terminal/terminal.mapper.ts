import { SourceSystemConfig } from '@kansa/config/sections/sources.section';
import { EventDraft } from '../shared/source-system';

/**
 * 業務端末 record → normalized event. The domain is stripped from ユーザー;
 * `object` is the device ID (what the external-media rule checks against the
 * approved list), or the file name when there is no device.
 */
export function terminalMapper(config: SourceSystemConfig): (r: Record<string, unknown>) => EventDraft {
  const c = config.columns;
  const text = (key: string | undefined, r: Record<string, unknown>) => (key ? (r[key] as string) : '');
  return (r) => {
    const user = r[c.userId] as string;
    const action = config.actions[r[c.action] as string];
    return {
      tsMs: r[c.ts] as number,
      userId: user.slice(user.lastIndexOf('\\') + 1),
      userName: '',
      departmentCode: '',
      terminalId: r[c.terminalId] as string,
      clientIp: text(c.clientIp, r),
      action,
      screenId: '',
      businessCode: '',
      subjectId: '',
      myNumberShown: false,
      recordCount: 0,
      reason: text(c.reason, r),
      outcome: action === 'login_failure' ? 'failure' : 'success',
      object: text(c.object, r) || text(c.fileName, r),
      sourceEventId: '',
    };
  };
}
