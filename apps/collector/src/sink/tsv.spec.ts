import fc from 'fast-check';
import { tsv } from './tsv';

/** TabSeparated escaping as ClickHouse reads it, one character at a time. */
function reference(v: string): string {
  return v.replace(/[\\\t\n\r\0]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' })[c]!);
}

const specials = fc.constantFrom('\\', '\t', '\n', '\r', '\0', 'a', 'あ', '"', ',');
const texts = fc.oneof(
  fc.string(),
  fc.array(specials, { maxLength: 20 }).map((a) => a.join('')),
  fc.array(specials, { minLength: 20, maxLength: 200 }).map((a) => a.join('')),
  fc.string({ minLength: 20, maxLength: 300 }),
);

describe('TabSeparated values', () => {
  it('escapes short and long values alike, as ClickHouse reads them', () => {
    fc.assert(
      fc.property(texts, (v) => expect(tsv(v)).toBe(reference(v))),
      { numRuns: 3000 },
    );
  });
});
