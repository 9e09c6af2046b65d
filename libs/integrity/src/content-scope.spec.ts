import { BatchRecord } from './chain';
import { contentScopeSql, inContentScope, olderPartOf } from './content-scope';

const JST = 9 * 3_600_000;
/** A batch imported at noon JST of `imported`, its events from `firstDay` ('' : recorded without days). */
const batch = (imported: string, firstDay: string): BatchRecord =>
  ({
    batchId: `${imported}/${firstDay}`,
    finishedAtMs: Date.parse(`${imported}T12:00:00Z`) - JST,
    firstDay,
    lastDay: firstDay,
  }) as BatchRecord;

describe('which batches a verification recomputes (ContentScope)', () => {
  it('every batch without bounds; the recent import days with them', () => {
    expect(inContentScope({})(batch('2019-01-01', '2019-01-01'))).toBe(true);
    const recent = inContentScope({ from: '2026-11-25' });
    expect(recent(batch('2026-11-25', '2026-11-24'))).toBe(true);
    expect(recent(batch('2026-11-24', '2026-11-24'))).toBe(false);
  });

  it('in turns, every older batch falls in exactly one part, and a backfill imported on one day is spread over the parts', () => {
    const parts = 7;
    // ten years of history imported on one day, a batch per event day
    const backfill = Array.from({ length: 3_650 }, (_, i) =>
      batch('2026-01-05', new Date(Date.UTC(2016, 0, 1) + i * 86_400_000).toISOString().slice(0, 10)),
    );
    const counts = Array.from(
      { length: parts },
      (_, part) => backfill.filter(inContentScope({ from: '2026-11-25', older: { part, parts } })).length,
    );
    expect(counts.reduce((a, b) => a + b, 0)).toBe(backfill.length);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  });

  it('the part of a batch without days is its import day', () => {
    expect(olderPartOf(batch('1970-01-04', ''), 7)).toBe(3);
    expect(olderPartOf(batch('2026-01-05', '1970-01-04'), 7)).toBe(3);
  });

  it('an older part without recent days is a mistake in the caller', () => {
    expect(() => inContentScope({ older: { part: 0, parts: 3 } })).toThrow('needs the recent days');
    expect(() => contentScopeSql({ older: { part: 0, parts: 3 } })).toThrow('needs the recent days');
    expect(contentScopeSql({})).toEqual({ condition: '', params: {} });
  });
});
