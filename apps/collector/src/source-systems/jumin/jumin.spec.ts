import { loadConfig } from '@kansa/config';
import { buildSourceSystems } from '../source-system.registry';

const jumin = buildSourceSystems(loadConfig({ env: {} }).sources).get('jumin')!;
const line = (over: Partial<Record<number, string>> = {}) => {
  const cols = [
    '2025/04/14 08:08:06',
    'K001198',
    '髙﨑 翔',
    '100700',
    '納税課',
    'WS-100700-006',
    '10.7.0.15',
    'JR0101',
    '住民票照会',
    '照会',
    '0000012345',
    '有',
    '窓口申請',
    '1',
    '正常',
  ];
  for (const [i, v] of Object.entries(over)) cols[Number(i)] = v as string;
  return cols.join(',');
};

describe('住民記録 (jumin) parser', () => {
  it('maps a line to the normalized event (JST)', () => {
    const r = jumin.parse(line());
    expect(r).toEqual({
      kind: 'ok',
      value: expect.objectContaining({
        tsMs: Date.parse('2025-04-14T08:08:06+09:00'),
        userId: 'K001198',
        userName: '髙﨑 翔',
        departmentCode: '100700',
        terminalId: 'WS-100700-006',
        clientIp: '10.7.0.15',
        action: 'view',
        screenId: 'JR0101',
        subjectId: '0000012345',
        myNumberShown: true,
        reason: '窓口申請',
        recordCount: 1,
        outcome: 'success',
      }),
    });
  });

  it('reads every 処理区分 of the spec', () => {
    const expected = {
      ログイン: 'login',
      ログアウト: 'logout',
      ログイン失敗: 'login_failure',
      検索: 'search',
      照会: 'view',
      更新: 'update',
      証明書発行: 'issue',
      帳票出力: 'print',
      一括出力: 'bulk_export',
      CSV出力: 'export',
    };
    for (const [kubun, action] of Object.entries(expected)) {
      expect(jumin.parse(line({ 9: kubun, 10: '' }))).toMatchObject({ kind: 'ok', value: { action } });
    }
  });

  it.each([
    [{ 0: '2026/09/31 10:00:00' }, '処理日時'],
    [{ 0: '2025-04-14 08:08:06' }, '処理日時'],
    [{ 9: '削除' }, '処理区分'],
    [{ 13: '十' }, '対象件数'],
    [{ 13: '-1' }, '対象件数'],
    [{ 3: '1007' }, '所属コード'],
    [{ 1: '' }, '職員ID'],
    [{ 11: 'あり' }, '個人番号表示'],
    [{ 14: '不明' }, '処理結果'],
  ])('quarantines %p naming the field %s', (over, field) => {
    const r = jumin.parse(line(over));
    expect(r.kind).toBe('quarantine');
    if (r.kind === 'quarantine') {
      expect(r.field).toBe(field);
      expect(r.reason).not.toBe('');
    }
  });

  it('quarantines a line with missing columns', () => {
    expect(jumin.parse(line().split(',').slice(0, 14).join(','))).toEqual({
      kind: 'quarantine',
      field: '(列数)',
      reason: '列数が15ではありません',
    });
  });

  it('reads quoted fields with commas and quotes', () => {
    expect(jumin.parse(line({ 12: '"本人確認済, ""窓口"""' }))).toMatchObject({ kind: 'ok', value: { reason: '本人確認済, "窓口"' } });
  });
});
