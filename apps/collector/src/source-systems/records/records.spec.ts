import { loadConfig } from '@kansa/config';
import { buildSourceSystems } from '../source-system.registry';

const systems = buildSourceSystems(loadConfig({ env: {} }).sources);
const records = systems.get('records')!;
const canonical = systems.get('canonical')!;
const line = (over: Partial<Record<number, string>> = {}) => {
  const cols = ['2025/04/14 09:12:00', '100100', 'J01', '届出受付', '1000000001', '010000000000009', 'R-2025-000123'];
  for (const [i, v] of Object.entries(over)) cols[Number(i)] = v as string;
  return cols.join(',');
};

describe('業務記録 (records) parser', () => {
  it('maps a record to an event of no staff member: action record, 種別 as reason, identity (所属コード, 受付番号)', () => {
    expect(records.parse(line())).toEqual({
      kind: 'ok',
      value: {
        tsMs: Date.parse('2025-04-14T09:12:00+09:00'),
        userId: '',
        userName: '',
        departmentCode: '100100',
        terminalId: '',
        clientIp: '',
        action: 'record',
        screenId: '',
        businessCode: 'J01',
        subjectId: '1000000001',
        myNumberShown: false,
        recordCount: 0,
        reason: '届出受付',
        outcome: 'success',
        object: '010000000000009',
        sourceEventId: '100100:R-2025-000123',
      },
    });
  });

  it('takes the 統合宛名番号 as the resident when the 宛名番号 is empty; 業務コード may be empty', () => {
    expect(records.parse(line({ 2: '', 4: '' }))).toMatchObject({
      kind: 'ok',
      value: { subjectId: '010000000000009', object: '', businessCode: '' },
    });
  });

  it.each([
    [{ 0: '2025-04-14 09:12:00' }, '受付日時'],
    [{ 0: '2025/02/30 09:12:00' }, '受付日時'],
    [{ 1: '10010' }, '所属コード'],
    [{ 3: '' }, '種別'],
    [{ 4: '12345' }, '宛名番号'],
    [{ 5: '0100' }, '統合宛名番号'],
    [{ 4: '', 5: '' }, '宛名番号'],
    [{ 6: '' }, '受付番号'],
  ])('quarantines %p naming the field %s', (over, field) => {
    expect(records.parse(line(over))).toMatchObject({ kind: 'quarantine', field });
  });
});

describe('業務記録 as canonical events', () => {
  const record = {
    ts: '2025-04-14T09:12:00+09:00',
    source: 'records',
    action: 'record',
    departmentCode: '100100',
    subjectId: '1000000001',
    object: '010000000000009',
    reason: '届出受付',
    businessCode: 'J01',
    sourceEventId: 'R-2025-000123',
  };

  it('needs no staff member and gets the same identity as the imported record', () => {
    const viaFile = records.parse(line());
    const viaCanonical = canonical.parse(JSON.stringify(record));
    if (viaFile.kind !== 'ok' || viaCanonical.kind !== 'ok') throw new Error('parse failed');
    expect(viaCanonical.value).toMatchObject({ source: 'records', userId: '', action: 'record' });
    const { source: _source, instance: _instance, ...rest } = viaCanonical.value;
    expect(rest).toEqual(viaFile.value);
  });

  it.each([
    [{ ...record, departmentCode: '' }, 'departmentCode'],
    [{ ...record, subjectId: '' }, 'subjectId'],
    [{ ...record, sourceEventId: '' }, 'sourceEventId'],
    [{ ...record, action: 'view' }, 'action'],
    [{ ...record, source: 'jumin' }, 'action'],
  ])('refuses a record without what identifies it: %p → %s', (e, field) => {
    expect(canonical.parse(JSON.stringify(e))).toMatchObject({ kind: 'quarantine', field });
  });

  it('still needs a userId for any other event', () => {
    expect(canonical.parse(JSON.stringify({ ts: record.ts, source: 'jumin', action: 'view' }))).toMatchObject({
      kind: 'quarantine',
      field: 'userId',
    });
  });
});
