import { walkRanges } from './walk-ranges';

describe('the links verify walks (walkRanges)', () => {
  it('the whole chain without turns; nothing for an empty one', () => {
    expect(walkRanges({ lastSeq: 95, firstRecentSeq: 0 }, undefined, 10)).toEqual([[1, 95]]);
    expect(walkRanges({ lastSeq: 0, firstRecentSeq: 0 }, { part: 0, parts: 3 }, 10)).toEqual([]);
  });

  it('in turns, the blocks of the part and everything from the first recent record', () => {
    const chain = { lastSeq: 95, firstRecentSeq: 83 };
    expect(walkRanges(chain, { part: 0, parts: 3 }, 10)).toEqual([
      [1, 10],
      [31, 40],
      [61, 70],
      [81, 95],
    ]);
    expect(walkRanges(chain, { part: 1, parts: 3 }, 10)).toEqual([
      [11, 20],
      [41, 50],
      [71, 95],
    ]);
  });

  it('in as many nights as parts, every record is walked', () => {
    const chain = { lastSeq: 1_234, firstRecentSeq: 0 };
    const walked = new Set<number>();
    for (let part = 0; part < 7; part++)
      for (const [lo, hi] of walkRanges(chain, { part, parts: 7 }, 20)) for (let s = lo; s <= hi; s++) walked.add(s);
    expect(walked.size).toBe(1_234);
  });
});
