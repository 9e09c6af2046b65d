import * as iconv from 'iconv-lite';
import { DecodeStep } from './decode.step';

describe('DecodeStep', () => {
  const cp932 = new DecodeStep('cp932');

  // 外字 (user-defined area F040–F9FC) → private use U+E000…; iconv-lite's table stops at F940.
  const eudc = (b: Buffer) =>
    b[1] === 0x7f ? '\uFFFD' : String.fromCharCode(0xe000 + (b[0] - 0xf0) * 188 + b[1] - (b[1] < 0x7f ? 0x40 : 0x41));

  it('decodes every CP932 character as iconv-lite does, and all of 外字 to private use', () => {
    const mismatches: string[] = [];
    for (let a = 0; a < 256; a++) {
      const lead = (a >= 0x81 && a <= 0x9f) || (a >= 0xe0 && a <= 0xfc);
      const seqs = lead ? Array.from({ length: 0xfd - 0x40 }, (_, i) => Buffer.from([a, 0x40 + i])) : [Buffer.from([a])];
      for (const bytes of seqs) {
        const expected = a >= 0xf0 && a <= 0xf9 ? eudc(bytes) : iconv.decode(bytes, 'cp932');
        const got = cp932.decode(bytes);
        if (expected.includes('\uFFFD')) {
          if (got.kind === 'ok') mismatches.push(bytes.toString('hex'));
        } else if (got.kind !== 'ok' || got.value !== expected) mismatches.push(bytes.toString('hex'));
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('reads CP932-only characters (髙, 﨑, ①, ㈱)', () => {
    expect(cp932.decode(iconv.encode('髙﨑①㈱', 'cp932'))).toEqual({ kind: 'ok', value: '髙﨑①㈱' });
  });

  it('quarantines invalid bytes with the field named', () => {
    expect(cp932.decode(Buffer.from([0x41, 0x81, 0x20]))).toEqual({
      kind: 'quarantine',
      field: '(文字コード)',
      reason: expect.stringContaining('CP932'),
    });
    expect(new DecodeStep('utf8').decode(Buffer.from([0x41, 0xc3]))).toMatchObject({ kind: 'quarantine', field: '(文字コード)' });
  });

  it('removes a UTF-8 BOM', () => {
    expect(new DecodeStep('utf8').decode(Buffer.from('\uFEFF照会日時', 'utf8'))).toEqual({ kind: 'ok', value: '照会日時' });
  });
});
