import { classifyStorageError, isRetryable, storageError, StorageRejectedError, StorageUnavailableError } from './storage-errors';

/** A ClickHouse error as @clickhouse/client reports it (server and embedded alike). */
const ch = (code: string, type: string, message: string) => Object.assign(new Error(message), { code, type });

describe('one classification of storage errors', () => {
  it.each([
    [
      'a full disk (engine message)',
      ch('1001', 'STD_EXCEPTION', 'Cannot write to file /data/x.bin, errno: 28, strerror: No space left on device'),
      'unavailable',
    ],
    ['a full disk (Node)', Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }), 'unavailable'],
    [
      'a server that is not there',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' }),
      'unavailable',
    ],
    ['a detached table', ch('60', 'UNKNOWN_TABLE', 'Table default.events does not exist'), 'unavailable'],
    ['a read-only table', ch('242', 'TABLE_IS_READ_ONLY', 'Table is in readonly mode'), 'unavailable'],
    ['memory', ch('241', 'MEMORY_LIMIT_EXCEEDED', 'Memory limit (total) exceeded'), 'transient'],
    ['merges behind', ch('252', 'TOO_MANY_PARTS', 'Too many parts (300) in all partitions in total'), 'transient'],
    [
      'the per-INSERT partition limit',
      ch('252', 'TOO_MANY_PARTS', 'Too many partitions for single INSERT block (more than 100).'),
      'permanent',
    ],
    ['a constraint', ch('469', 'VIOLATED_CONSTRAINT', 'Constraint `c` for table default.events is violated at row 1.'), 'permanent'],
    ['a syntax error', ch('62', 'SYNTAX_ERROR', 'Syntax error: failed at position 7'), 'permanent'],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'x')"), 'permanent'],
  ])('%s is %s', (_what, err, kind) => {
    expect(classifyStorageError(err).kind).toBe(kind);
  });

  it('names the code and type, and keeps the kind through storageError()', () => {
    const e = storageError(ch('241', 'MEMORY_LIMIT_EXCEEDED', 'Memory limit exceeded'));
    expect(e).toBeInstanceOf(StorageRejectedError);
    expect((e as StorageRejectedError).failure).toMatchObject({ kind: 'transient', code: '241 MEMORY_LIMIT_EXCEEDED' });
    expect(storageError(ch('243', 'NOT_ENOUGH_SPACE', 'Not enough space'))).toBeInstanceOf(StorageUnavailableError);
    expect(classifyStorageError(e).kind).toBe('transient');
  });

  it('answers 503 (retry later) for unavailable and transient, never for permanent', () => {
    expect(isRetryable(new StorageUnavailableError('down'))).toBe(true);
    expect(isRetryable(ch('241', 'MEMORY_LIMIT_EXCEEDED', 'x'))).toBe(true);
    expect(isRetryable(ch('469', 'VIOLATED_CONSTRAINT', 'x'))).toBe(false);
  });
});
