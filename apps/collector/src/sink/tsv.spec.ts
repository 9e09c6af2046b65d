import fc from 'fast-check';
import { STAGED_PLAN, StagedRow } from '@kansa/storage';
import { rowText } from './row-bytes';
import { stagedRowTsv, tsv } from './tsv';

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

describe('staged rows', () => {
  // Each column as ClickHouse's TabSeparated reads it, in the plan's order.
  const column = (kind: string, v: unknown): string =>
    kind === 'text'
      ? reference(v as string)
      : kind === 'texts'
        ? reference(`[${(v as string[]).map((x) => `'${x.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`).join(',')}]`)
        : String(v);
  const rows = fc.record(
    Object.fromEntries(
      STAGED_PLAN.map(({ name, kind }) => [
        name,
        kind === 'text' ? texts : kind === 'texts' ? fc.array(texts, { maxLength: 3 }) : kind === 'bool' ? fc.boolean() : fc.nat(),
      ]),
    ),
  ) as unknown as fc.Arbitrary<StagedRow>;

  it('are every column of the plan, in its order, escaped, on one line', () => {
    fc.assert(
      fc.property(rows, (row) =>
        expect(rowText(stagedRowTsv(row))).toBe(STAGED_PLAN.map(({ name, kind }) => column(kind, row[name])).join('\t') + '\n'),
      ),
      { numRuns: 1000 },
    );
  });
});
