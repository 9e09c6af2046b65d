import fc from 'fast-check';
import iconv from 'iconv-lite';
import { splitLines, toRawRecords } from './kafka-records.mapper';

const msg = (offset: number, value: string | Buffer | null) => ({
  offset: String(offset),
  value: typeof value === 'string' ? Buffer.from(value, 'utf8') : value,
});

describe('Kafka message → records', () => {
  it('keeps topic/partition/offset of a one-line message as its origin', () => {
    const { records, empty } = toRawRecords('kansa.chukan', 2, [msg(41, '{"serial":"Q1"}\n'), msg(42, '{"serial":"Q2"}')]);
    expect(empty).toBe(0);
    expect(records.map((r) => [r.lineNo, r.origin, r.bytes?.toString()])).toEqual([
      [1, 'kansa.chukan/2/41', '{"serial":"Q1"}'],
      [2, 'kansa.chukan/2/42', '{"serial":"Q2"}'],
    ]);
  });

  it('splits a batch message into one record per line, numbering the line inside the message', () => {
    const { records } = toRawRecords('kansa.jumin', 0, [msg(7, 'a,1\r\nb,2\r\n\r\nc,3')]);
    expect(records.map((r) => [r.origin, r.bytes?.toString()])).toEqual([
      ['kansa.jumin/0/7#1', 'a,1'],
      ['kansa.jumin/0/7#2', 'b,2'],
      ['kansa.jumin/0/7#3', 'c,3'],
    ]);
  });

  it('keeps a line break inside a quoted CSV field in its line (CP932 bytes too)', () => {
    const value = iconv.encode('2026/09/01 09:00:00,"髙橋\r\n﨑",x\r\n2026/09/01 09:00:01,"a""b",y\r\n', 'cp932');
    const lines = splitLines(value).map((b) => iconv.decode(b, 'cp932'));
    expect(lines).toEqual(['2026/09/01 09:00:00,"髙橋\r\n﨑",x', '2026/09/01 09:00:01,"a""b",y']);
  });

  it('splits JSON Lines on every line break even when a value holds an escaped quote', () => {
    const lines = splitLines(Buffer.from('{"reason":"a\\"b"}\n{"reason":"c"}\n'));
    expect(lines.map(String)).toEqual(['{"reason":"a\\"b"}', '{"reason":"c"}']);
  });

  it('turns a JSON array message into one record per object, and keeps a broken array whole', () => {
    const { records } = toRawRecords('kansa.canonical', 0, [msg(1, '[{"a":1},{"b":"x"}]'), msg(2, '[{"a":1},')]);
    expect(records.map((r) => [r.origin, r.text ?? r.bytes?.toString()])).toEqual([
      ['kansa.canonical/0/1#1', '{"a":1}'],
      ['kansa.canonical/0/1#2', '{"b":"x"}'],
      ['kansa.canonical/0/2', '[{"a":1},'],
    ]);
  });

  it('counts tombstones and blank messages as empty, not as records', () => {
    const { records, empty } = toRawRecords('t', 0, [msg(1, null), msg(2, '\r\n'), msg(3, '[]'), msg(4, 'x')]);
    expect(records).toHaveLength(1);
    expect(empty).toBe(3);
  });

  it('never loses or invents bytes: the lines joined back give the message without blank lines', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[^\r\n"{[]?[^\r\n"]*$/), { maxLength: 20 }), fc.boolean(), (lines, crlf) => {
        const value = Buffer.from(lines.join(crlf ? '\r\n' : '\n'));
        const out = splitLines(value).map(String);
        expect(out).toEqual(lines.filter((l) => l.length > 0));
      }),
    );
  });
});
