import { BatchRecord } from './chain';
import { monthChunks, verifyChunks } from './verify-chunks';

const batch = (batchId: string, firstDay: string, lastDay: string, stored: number): BatchRecord => ({
  batchId,
  seq: 1,
  source: 'jumin',
  writer: '',
  instance: '',
  transport: 'file',
  origin: 'x',
  fileSha256: '',
  linesRead: stored,
  stored,
  duplicates: 0,
  quarantined: 0,
  apart: 0,
  contentDigest: '',
  prevChain: '',
  chainHash: '',
  startedAtMs: 0,
  finishedAtMs: 0,
  firstDay,
  lastDay,
});

describe('verify takes the batches a bounded chunk at a time', () => {
  const limits = { rows: 250, days: 7, batchesAtOnce: 1, prefilterBatches: 100_000 };

  it('in the order of their days, each chunk within the rows and days limits, every batch once', () => {
    const batches = [
      batch('c', '2025-04-02', '2025-04-02', 100),
      batch('a', '2025-04-01', '2025-04-01', 100),
      batch('b', '2025-04-01', '2025-04-01', 100),
      batch('d', '2025-04-20', '2025-04-21', 10),
      batch('e', '2025-04-22', '2025-04-22', 10),
    ];
    expect(verifyChunks(batches, limits)).toEqual([
      { batchIds: ['a', 'b'], fromDay: '2025-04-01', toDay: '2025-04-01' },
      { batchIds: ['c'], fromDay: '2025-04-02', toDay: '2025-04-02' },
      { batchIds: ['d', 'e'], fromDay: '2025-04-20', toDay: '2025-04-22' },
    ]);
  });

  it('a batch larger than the limits (a backfill of years, a huge file) is a chunk of its own', () => {
    const batches = [
      batch('old', '2015-04-01', '2025-03-31', 10),
      batch('big', '2025-04-01', '2025-04-01', 1000),
      batch('next', '2025-04-01', '2025-04-02', 10),
    ];
    expect(verifyChunks(batches, limits)).toEqual([
      { batchIds: ['old'], fromDay: '2015-04-01', toDay: '2025-03-31' },
      { batchIds: ['big'], fromDay: '2025-04-01', toDay: '2025-04-01' },
      { batchIds: ['next'], fromDay: '2025-04-01', toDay: '2025-04-02' },
    ]);
  });

  it('batches recorded without their days (older versions) are chunked apart, without days', () => {
    const batches = [batch('dated', '2025-04-01', '2025-04-01', 10), batch('u1', '', '', 10), batch('u2', '', '', 10)];
    expect(verifyChunks(batches, limits)).toEqual([
      { batchIds: ['u1', 'u2'] },
      { batchIds: ['dated'], fromDay: '2025-04-01', toDay: '2025-04-01' },
    ]);
  });
});

describe('the months the pass for events off their days takes at once (monthChunks)', () => {
  it('joins consecutive months while their batches fit, and takes a larger month alone', () => {
    const batches = new Map([
      ['202501', 10],
      ['202502', 30],
      ['202503', 500],
      ['202504', 20],
    ]);
    expect(monthChunks(['202504', '202501', '202502', '202503', '202505'], batches, 100)).toEqual([
      { months: ['202501', '202502'], batches: 40 },
      { months: ['202503'], batches: 500 },
      { months: ['202504', '202505'], batches: 20 },
    ]);
  });
});
