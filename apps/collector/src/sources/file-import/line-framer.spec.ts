import fc from 'fast-check';
import { RawRecord } from '../../pipeline/ingest.types';
import { LineFramer } from './line-framer';

function frame(bytes: Buffer, csv: boolean, cuts: number[] = []): Array<[number, string]> {
  const framer = new LineFramer(csv);
  const out: RawRecord[] = [];
  let from = 0;
  for (const cut of [...new Set(cuts)].filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b)) {
    out.push(...framer.push(bytes.subarray(from, cut)));
    from = cut;
  }
  out.push(...framer.push(bytes.subarray(from)));
  out.push(...framer.end());
  return out.map((r) => [r.lineNo, r.bytes!.toString('latin1')]);
}

describe('LineFramer', () => {
  it('cuts CRLF and LF lines and numbers them', () => {
    expect(frame(Buffer.from('h\r\na\r\nb\nc'), true)).toEqual([
      [1, 'h'],
      [2, 'a'],
      [3, 'b'],
      [4, 'c'],
    ]);
  });

  it('keeps a quoted line break inside one record, numbered by its first line', () => {
    expect(frame(Buffer.from('a,"x\r\ny",1\r\nb\r\n'), true)).toEqual([
      [1, 'a,"x\r\ny",1'],
      [3, 'b'],
    ]);
  });

  it('JSON Lines are cut at every line break', () => {
    expect(frame(Buffer.from('{"a":"\\""}\n{"b":1}\n'), false)).toEqual([
      [1, '{"a":"\\""}'],
      [2, '{"b":1}'],
    ]);
  });

  it('an unclosed quote costs one line, not the rest of the file', () => {
    expect(frame(Buffer.from('a,"broken\r\nb,1\r\nc,2\r\n'), true)).toEqual([
      [1, 'a,"broken'],
      [2, 'b,1'],
      [3, 'c,2'],
    ]);
  });

  it('gives the same records however the bytes arrive in chunks', () => {
    const line = fc.array(fc.constantFrom('a', ',', '"', '\n', '\r\n', '漢'), { maxLength: 12 }).map((p) => p.join(''));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 20 }), fc.array(fc.nat(400), { maxLength: 10 }), fc.boolean(), (lines, cuts, csv) => {
        const bytes = Buffer.from(lines.join('\r\n'), 'utf8');
        const whole = frame(bytes, csv);
        expect(frame(bytes, csv, cuts)).toEqual(whole);
        // every byte is accounted for: records + their line breaks rebuild the input
        const rebuilt = whole.map(([, t]) => t).join('\n');
        expect(rebuilt.replace(/\r\n/g, '\n').replace(/\r$/, '')).toEqual(
          bytes.toString('latin1').replace(/\r\n/g, '\n').replace(/\r$/, '').replace(/\n$/, ''),
        );
      }),
      { numRuns: 300 },
    );
  });
});
