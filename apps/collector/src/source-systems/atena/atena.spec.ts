import { loadConfig } from '@kansa/config';
import { buildSourceSystems } from '../source-system.registry';

const atena = buildSourceSystems(loadConfig({ env: {} }).sources).get('atena')!;
const line = (over: Partial<Record<number, string>> = {}) => {
  const cols = ['2026-09-01T08:45:12.345+09:00', 'K000123', '100200', 'WS-100200-001', 'Z01', '個人番号照会', '010000000015893', '1', 'OK'];
  for (const [i, v] of Object.entries(over)) cols[Number(i)] = v as string;
  return cols.join(',');
};

describe('統合宛名 (atena) parser', () => {
  it('maps 個人番号照会 to view with the 個人番号 shown', () => {
    expect(atena.parse(line())).toEqual({
      kind: 'ok',
      value: expect.objectContaining({
        tsMs: Date.parse('2026-09-01T08:45:12.345+09:00'),
        userId: 'K000123',
        departmentCode: '100200',
        businessCode: 'Z01',
        action: 'view',
        myNumberShown: true,
        subjectId: '010000000015893',
        recordCount: 1,
        outcome: 'success',
      }),
    });
  });

  it('maps 一覧出力 to export and NG to failure', () => {
    expect(atena.parse(line({ 5: '一覧出力', 6: '', 7: '250', 8: 'NG' }))).toMatchObject({
      kind: 'ok',
      value: { action: 'export', myNumberShown: false, subjectId: '', recordCount: 250, outcome: 'failure' },
    });
  });

  it.each([
    [{ 0: '2026-09-01 08:45:12' }, '照会日時'],
    [{ 0: '2026-02-30T08:45:12.345+09:00' }, '照会日時'],
    [{ 5: '削除' }, '照会種別'],
    [{ 6: '12345' }, '統合宛名番号'],
    [{ 7: 'x' }, '該当件数'],
  ])('quarantines %p naming the field %s', (over, field) => {
    expect(atena.parse(line(over))).toMatchObject({ kind: 'quarantine', field });
  });
});
