import { OlderPart } from './content-scope';

/**
 * The seq ranges (inclusive) of a chain whose links verify walks. Without
 * turns, the whole chain. In turns (the nightly watch's verifyOlderNights),
 * the chain is cut into blocks of `block` records; a night walks the blocks
 * of its part (block number modulo the parts) and every block from the first
 * recent record on (`firstRecentSeq`, 0: none), so that every link is walked
 * once in as many nights and the newest every night. Adjacent blocks are
 * one range.
 */
export function walkRanges(
  chain: { lastSeq: number; firstRecentSeq: number },
  older: OlderPart | undefined,
  block: number,
): Array<[number, number]> {
  if (chain.lastSeq < 1) return [];
  if (!older) return [[1, chain.lastSeq]];
  const ranges: Array<[number, number]> = [];
  const blocks = Math.ceil(chain.lastSeq / block);
  for (let k = 0; k < blocks; k++) {
    const lo = k * block + 1;
    const hi = Math.min((k + 1) * block, chain.lastSeq);
    const recent = chain.firstRecentSeq > 0 && hi >= chain.firstRecentSeq;
    if (k % older.parts !== older.part && !recent) continue;
    const last = ranges[ranges.length - 1];
    if (last && last[1] === lo - 1) last[1] = hi;
    else ranges.push([lo, hi]);
  }
  return ranges;
}
