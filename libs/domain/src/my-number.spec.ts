import fc from 'fast-check';
import * as iconv from 'iconv-lite';
import {
  hasTwelveDigitRun,
  isValidMyNumber,
  maskMyNumberBytes,
  maskMyNumbers,
  MY_NUMBER_MASK,
  myNumberCheckDigit,
  myNumberHmac,
} from './my-number';

const withCheck = (first11: string) => first11 + myNumberCheckDigit(first11);
const fullWidth = (ascii: string) => ascii.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));

describe('個人番号 (My Number)', () => {
  it('accepts the check digit of the published algorithm and rejects a wrong one', () => {
    expect(isValidMyNumber('123456789018')).toBe(true);
    expect(isValidMyNumber('123456789012')).toBe(false);
    expect(isValidMyNumber('12345678901')).toBe(false);
  });

  it('exactly one check digit of ten is valid for any 11 digits', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{11}$/), (first11) => {
        const valid = [...'0123456789'].filter((d) => isValidMyNumber(first11 + d));
        expect(valid).toEqual([String(myNumberCheckDigit(first11))]);
      }),
    );
  });

  it('masks valid numbers in ASCII and full-width digits, anywhere in a line', () => {
    const n = withCheck('98765432101');
    const line = `2025/04/14 08:08:06,K001198,備考 ${n} と ${fullWidth(n)},x${n}`;
    const { value, numbers } = maskMyNumbers(line);
    expect(value).not.toContain(n);
    expect(value).not.toContain(fullWidth(n));
    expect(value.split(MY_NUMBER_MASK)).toHaveLength(4);
    expect(numbers).toEqual([n, n, n]);
  });

  it('leaves longer digit runs and invalid check digits alone', () => {
    const n = withCheck('98765432101');
    const wrong = n.slice(0, 11) + ((Number(n[11]) + 1) % 10);
    const text = `統合宛名番号 0${n} と ${n}9 と ${wrong}`;
    expect(maskMyNumbers(text)).toEqual({ value: text, numbers: [] });
  });

  it('finds a run of 12 digits (ASCII or full-width) wherever it starts, and none where there is none', () => {
    const piece = fc.oneof(fc.stringMatching(/^[0-9]{1,14}$/), fc.stringMatching(/^[０-９]{1,14}$/), fc.string({ maxLength: 5 }));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const text = pieces.join('');
        expect(hasTwelveDigitRun(text)).toBe(/[0-9０-９]{12}/.test(text));
      }),
      { numRuns: 2000 },
    );
    for (let offset = 0; offset < 40; offset++) {
      for (const digits of ['12345678901', '123456789012', '１２３４５６７８９０１２']) {
        expect(hasTwelveDigitRun(`${'x'.repeat(offset)}${digits}y`)).toBe(digits.length === 12);
      }
    }
    expect(hasTwelveDigitRun('12345678901')).toBe(false);
    expect(hasTwelveDigitRun('123456789012')).toBe(true);
    expect(hasTwelveDigitRun('x'.repeat(13) + '123456789012')).toBe(true);
    expect(hasTwelveDigitRun('12345678901x12345678901')).toBe(false);
  });

  it('masks in undecodable CP932 and UTF-8 bytes, ASCII and full-width', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{11}$/), fc.boolean(), (first11, wide) => {
        const n = withCheck(first11);
        const digits = wide ? fullWidth(n) : n;
        for (const enc of ['cp932', 'utf8'] as const) {
          const bytes = Buffer.concat([Buffer.from([0xff, 0x81]), iconv.encode(`,理由${digits},`, enc === 'cp932' ? 'cp932' : 'utf8')]);
          const masked = maskMyNumberBytes(bytes, enc);
          expect(masked.numbers).toEqual([n]);
          expect(masked.value.includes(Buffer.from(n))).toBe(false);
          expect(masked.value.includes(iconv.encode(digits, enc === 'cp932' ? 'cp932' : 'utf8'))).toBe(false);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('keys the hash: the same number gives different hashes under different keys', () => {
    expect(myNumberHmac('a', '123456789018')).not.toEqual(myNumberHmac('b', '123456789018'));
    expect(myNumberHmac('a', '123456789018')).toMatch(/^[0-9a-f]{64}$/);
  });
});
