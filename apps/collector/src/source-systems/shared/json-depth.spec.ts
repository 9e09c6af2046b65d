import fc from 'fast-check';
import { jsonTextMayBeTooDeep, jsonTooDeep } from './json-depth';

describe('JSON depth limit', () => {
  it('the text check never lets through a value that nests too deep (it only spares walking the others)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.integer({ min: 1, max: 5 }), (value, limit) => {
        const text = JSON.stringify(value);
        if (jsonTooDeep(value, limit)) expect(jsonTextMayBeTooDeep(text, limit)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('a Winlogbeat-like line passes the text check; 33 levels do not', () => {
    expect(jsonTextMayBeTooDeep('{"winlog":{"event_data":{"a":"[x]"}},"host":{"name":"PC"}}')).toBe(false);
    expect(jsonTextMayBeTooDeep('['.repeat(33) + ']'.repeat(33))).toBe(true);
    expect(jsonTextMayBeTooDeep('{"a":'.repeat(32) + '1' + '}'.repeat(32))).toBe(false);
  });
});
