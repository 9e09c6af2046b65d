import { BatchRecord, chainHash, contentDigest, GENESIS, sha256 } from './chain';

const batch: Omit<BatchRecord, 'chainHash'> = {
  prevChain: GENESIS,
  contentDigest: 'ab'.repeat(32),
  batchId: 'b1',
  seq: 1,
  source: 'jumin',
  writer: '',
  instance: '',
  transport: 'file',
  origin: '/logs/JUMIN_OPLOG_20250414.csv',
  fileSha256: 'cd'.repeat(32),
  linesRead: 10,
  stored: 9,
  duplicates: 0,
  quarantined: 1,
  apart: 0,
  startedAtMs: 1744585686000,
  finishedAtMs: 1744585687000,
  firstDay: '',
  lastDay: '',
};

describe('chain hash', () => {
  it("is unchanged for the embedded engine's one writer, so chains recorded before writers existed still verify", () => {
    // computed by the chain code before the writer field was added
    expect(chainHash(batch)).toBe('dee8c1b56eac3c2dc1a985449ea6baa3400ab298a7842d4637549acd4762dee1');
  });

  it("covers the event days of batches that record them: a batch's days cannot be moved back to escape verification", () => {
    const a = chainHash({ ...batch, firstDay: '2025-04-14', lastDay: '2025-04-14' });
    expect(a).not.toBe(chainHash(batch));
    expect(a).not.toBe(chainHash({ ...batch, firstDay: '2016-04-14', lastDay: '2025-04-14' }));
  });

  it('covers the lines kept apart (migration 120) without changing the hash of batches that have none', () => {
    // `apart: 0` is every batch recorded before the column: its hash above is the one computed before it existed
    expect(chainHash({ ...batch, apart: 3 })).not.toBe(chainHash(batch));
    expect(chainHash({ ...batch, apart: 3 })).not.toBe(chainHash({ ...batch, apart: 4 }));
  });

  it('content digest: the kept-apart rows join it only when there are any, so older batches verify unchanged', () => {
    expect(contentDigest('e', 'q')).toBe(sha256('events:e\nquarantine:q'));
    expect(contentDigest('e', 'q', '')).toBe(contentDigest('e', 'q'));
    expect(contentDigest('e', 'q', 'a')).not.toBe(contentDigest('e', 'q'));
  });

  it("covers the writer: a batch moved to another writer's chain no longer matches", () => {
    const a = chainHash({ ...batch, writer: 'collector-a' });
    expect(a).not.toBe(chainHash(batch));
    expect(a).not.toBe(chainHash({ ...batch, writer: 'collector-b' }));
  });
});
