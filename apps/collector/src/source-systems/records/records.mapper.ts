import { SourceSystemConfig } from '@kansa/config/sections/sources.section';
import { EventDraft } from '../shared/source-system';

/**
 * The identity of a business record: (所属コード, 受付番号). The same record
 * sent twice — a daily file re-sent, the same record by file and as a
 * canonical event — is stored once (docs/explanations.md).
 */
export function businessRecordKey(departmentCode: string, receiptNo: string): string {
  return `${departmentCode}:${receiptNo}`;
}

/**
 * 業務記録 → normalized event (action `record`, no staff member): the
 * department, the business code, 種別 as `reason`, the resident as
 * `subjectId` (宛名番号, else 統合宛名番号) and, when both are given, the
 * 統合宛名番号 as `object`; `sourceEventId` is the record's identity.
 */
export function recordsMapper(config: SourceSystemConfig): (r: Record<string, unknown>) => EventDraft {
  const c = config.columns;
  const text = (key: string | undefined, r: Record<string, unknown>) => (key ? (r[key] as string) : '');
  return (r) => {
    const residentNo = text(c.subjectId, r);
    const integratedNo = text(c.integratedId, r);
    return {
      tsMs: r[c.ts] as number,
      userId: '',
      userName: '',
      departmentCode: r[c.departmentCode] as string,
      terminalId: '',
      clientIp: '',
      action: 'record',
      screenId: '',
      businessCode: text(c.businessCode, r),
      subjectId: residentNo || integratedNo,
      myNumberShown: false,
      recordCount: 0,
      reason: r[c.kind] as string,
      outcome: 'success',
      object: residentNo ? integratedNo : '',
      sourceEventId: businessRecordKey(r[c.departmentCode] as string, r[c.receiptNo] as string),
    };
  };
}
