import { IngestBodyError, toRawRecords } from './ingest-body.schema';

describe('HTTP ingest body', () => {
  it('numbers text lines by their line in the body, skipping blank ones and a BOM', () => {
    const records = toRawRecords('\uFEFFa,b\r\n\r\nc,d\n', 'http:x');
    expect(records.map((r) => [r.lineNo, r.text])).toEqual([
      [1, 'a,b'],
      [3, 'c,d'],
    ]);
  });

  it('re-serializes JSON objects and keeps strings as lines', () => {
    const records = toRawRecords([{ userId: 'u1' }, 'x'], 'http:x');
    expect(records.map((r) => r.text)).toEqual(['{"userId":"u1"}', 'x']);
    expect(toRawRecords({ lines: ['p', 'q'] }, 'http:x')).toHaveLength(2);
    expect(toRawRecords({ records: [{ a: 1 }] }, 'http:x')[0].text).toBe('{"a":1}');
  });

  it('refuses a body that is neither, naming where', () => {
    expect(() => toRawRecords({ lines: 'x' }, 'http:x')).toThrow(IngestBodyError);
    expect(() => toRawRecords([1, 2], 'http:x')).toThrow(/invalid body at 0/);
    expect(() => toRawRecords({}, 'http:x')).toThrow(/empty body/);
  });
});
