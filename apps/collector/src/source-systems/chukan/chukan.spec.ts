import { loadConfig } from '@kansa/config';
import { buildSourceSystems } from '../source-system.registry';

const chukan = buildSourceSystems(loadConfig({ env: {} }).sources).get('chukan')!;
const base = {
  time: '2026-09-01T09:12:33.120+09:00',
  operator: 'K000123',
  terminal: 'CHK-TERM-03',
  func: '情報照会',
  procedure: 'JT0123',
  partner: '厚生労働省',
  item: 'TK0001',
  subject: '000012345678901',
  serial: 'Q20260901000123',
  count: 1,
  result: '正常',
};

describe('中間サーバー (chukan) parser', () => {
  it('maps the spec example; serial is the source event ID', () => {
    expect(chukan.parse(JSON.stringify(base))).toEqual({
      kind: 'ok',
      value: expect.objectContaining({
        tsMs: Date.parse('2026-09-01T09:12:33.120+09:00'),
        userId: 'K000123',
        terminalId: 'CHK-TERM-03',
        action: 'inquiry',
        businessCode: 'JT0123',
        object: '厚生労働省',
        screenId: 'TK0001',
        subjectId: '000012345678901',
        sourceEventId: 'Q20260901000123',
        recordCount: 1,
        outcome: 'success',
      }),
    });
  });

  it('accepts absent partner, item and subject (a login)', () => {
    const { partner, item, subject, procedure, ...login } = { ...base, func: 'ログイン', count: 0 };
    void partner;
    void item;
    void subject;
    void procedure;
    expect(chukan.parse(JSON.stringify(login))).toMatchObject({ kind: 'ok', value: { action: 'login', subjectId: '', object: '' } });
  });

  it.each([
    ['{"time": ', '(JSON)'],
    ['[1,2]', '(JSON)'],
    [JSON.stringify({ ...base, serial: undefined }), 'serial'],
    [JSON.stringify({ ...base, count: '1' }), 'count'],
    [JSON.stringify({ ...base, count: -1 }), 'count'],
    [JSON.stringify({ ...base, func: '削除' }), 'func'],
    [JSON.stringify({ ...base, time: '2026-09-31T09:00:00+09:00' }), 'time'],
    [JSON.stringify({ ...base, result: 'OK' }), 'result'],
  ])('quarantines %s naming %s', (text, field) => {
    expect(chukan.parse(text)).toMatchObject({ kind: 'quarantine', field });
  });

  it('says a required field is missing', () => {
    expect(chukan.parse(JSON.stringify({ ...base, operator: undefined }))).toEqual({
      kind: 'quarantine',
      field: 'operator',
      reason: '値がありません',
    });
  });
});
