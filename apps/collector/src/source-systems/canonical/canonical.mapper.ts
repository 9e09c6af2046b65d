import { EventDraft } from '../shared/source-system';
import { parseIsoWithOffset } from '../shared/fields';
import { businessRecordKey } from '../records/records.mapper';
import { CanonicalRecord } from './canonical.schema';

/**
 * A canonical event already has the normalized fields; only the time is
 * converted, and a business record's 受付番号 becomes its identity
 * (所属コード, 受付番号), the same as when its file is imported.
 */
export function canonicalMapper(e: CanonicalRecord): EventDraft {
  return {
    tsMs: parseIsoWithOffset(e.ts) as number,
    source: e.source,
    instance: e.instance,
    userId: e.userId,
    userName: e.userName,
    departmentCode: e.departmentCode,
    terminalId: e.terminalId,
    clientIp: e.clientIp,
    action: e.action,
    screenId: e.screenId,
    businessCode: e.businessCode,
    subjectId: e.subjectId,
    myNumberShown: e.myNumberShown,
    recordCount: e.recordCount,
    reason: e.reason,
    outcome: e.outcome,
    object: e.object,
    sourceEventId: e.action === 'record' ? businessRecordKey(e.departmentCode, e.sourceEventId) : e.sourceEventId,
  };
}

/** Identity of a canonical event without sourceEventId: its normalized fields in a fixed order. */
export function canonicalIdentity(e: EventDraft): string {
  return JSON.stringify([
    e.tsMs,
    e.userId,
    e.userName,
    e.departmentCode,
    e.terminalId,
    e.clientIp,
    e.action,
    e.screenId,
    e.businessCode,
    e.subjectId,
    e.myNumberShown,
    e.recordCount,
    e.reason,
    e.outcome,
    e.object,
  ]);
}
