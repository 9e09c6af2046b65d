import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { splitCsvLine } from './csv-line';

const quote = (f: string) => (/[",\n\r]/.test(f) || f === '' ? `"${f.replace(/"/g, '""')}"` : f);

describe('splitCsvLine (RFC 4180 record)', () => {
  it('splits plain and quoted fields', () => {
    expect(splitCsvLine('a,b,,c')).toEqual(['a', 'b', '', 'c']);
    expect(splitCsvLine('"a,1","say ""hi""",\n,"x\r\ny"')).toEqual(['a,1', 'say "hi"', '\n', 'x\r\ny']);
  });

  it('refuses an unclosed quote or text after a closing quote', () => {
    expect(splitCsvLine('a,"b')).toBeUndefined();
    expect(splitCsvLine('a,"b"c')).toBeUndefined();
    expect(splitCsvLine('a,b"c')).toBeUndefined();
  });

  it('agrees with csv-parse on any record', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom('a', '漢', ',', '"', '\n', ' ', '1') }), { minLength: 2, maxLength: 8 }),
        (fields) => {
          const line = fields.map(quote).join(',');
          const [expected] = parse(line, { relax_column_count: true }) as string[][];
          expect(splitCsvLine(line)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
