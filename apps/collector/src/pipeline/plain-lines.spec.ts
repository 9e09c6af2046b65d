import fc from 'fast-check';
import { NOT_PLAIN, PLAIN, PLAIN_ESCAPED, PlainLineRows, scanPlain } from './plain-lines';

const utf8 = (s: string) => Buffer.from(s, 'utf8');
/** A run of exactly 12 digits (ASCII or full-width): what maskMyNumbers examines. */
const TWELVE = /(?<![0-9０-９])[0-9０-９]{12}(?![0-9０-９])/;

describe('plain lines (staged undecoded for the SQL twin)', () => {
  it('are not empty, hold no quote, no byte-order mark and no run of exactly 12 digits', () => {
    expect(scanPlain(utf8(''))).toBe(NOT_PLAIN);
    expect(scanPlain(utf8('a,"b",c'))).toBe(NOT_PLAIN);
    expect(scanPlain(utf8('\uFEFF照会日時,利用者ID'))).toBe(NOT_PLAIN);
    expect(scanPlain(utf8('x,123456789012,y'))).toBe(NOT_PLAIN);
    expect(scanPlain(utf8('x,１２３４５６７８９０１２'))).toBe(NOT_PLAIN);
    expect(scanPlain(utf8('x,12345６７８９０１２'))).toBe(NOT_PLAIN);
    expect(scanPlain(utf8('2025-04-14T08:00:00+09:00,K001198,100700,WS-1,Z01,宛名照会,010000000053217,1,OK'))).toBe(PLAIN);
    expect(scanPlain(utf8('x,1234567890123,y'))).toBe(PLAIN); // 13 digits: no 個人番号
    expect(scanPlain(utf8('DOMAIN\\K001,a\tb'))).toBe(PLAIN_ESCAPED);
  });

  it('agree with the text checks on random lines', () => {
    const char = fc.constantFrom('1', '2', '０', '９', ',', '"', '\\', '\t', 'a', '照', '会', '\uFEFF', ' ');
    fc.assert(
      fc.property(
        fc.array(char, { maxLength: 40 }).map((a) => a.join('')),
        (s) => {
          const plain = scanPlain(utf8(s)) !== NOT_PLAIN;
          const expected = s !== '' && !s.startsWith('\uFEFF') && !s.includes('"') && !TWELVE.test(s);
          expect(plain).toBe(expected);
          if (plain) expect(scanPlain(utf8(s)) === PLAIN_ESCAPED).toBe(/[\\\t\r\0]/.test(s));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('are written as TabSeparated rows, escaped on bytes', () => {
    const rows = new PlainLineRows();
    rows.addBytes(3, '', utf8('a\\b\tc'), true);
    rows.addBytes(4, 'kansa.atena/0/17', utf8('宛名照会'), false);
    rows.addText(5, 'http:x\ty', '髙橋\\');
    expect(rows.count).toBe(3);
    expect(rows.take().toString('utf8')).toBe('3\t\t0\ta\\\\b\\tc\n4\tkansa.atena/0/17\t0\t宛名照会\n5\thttp:x\\ty\t1\t髙橋\\\\\n');
    expect(rows.count).toBe(0);
    // the buffer grows for long lines
    rows.addBytes(1, '', Buffer.alloc(3 << 20, 0x61), false);
    expect(rows.take().length).toBe((3 << 20) + 6); // "1", TAB, TAB, "0", TAB, the line, LF
  });
});
