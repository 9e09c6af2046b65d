/**
 * The one classification of storage errors (docs/collector.md "When a
 * commit fails"). Every transport and every command decides what to do with a
 * failed write from this, never from the error text on its own:
 *
 * - `unavailable`: storage cannot be reached or cannot take writes at all
 *   (network, disk full, read-only). Nothing is wrong with the data: answer
 *   503 / pause Kafka and retry later, without counting it against the batch.
 * - `transient`: ClickHouse refused this request for now (memory, overload,
 *   timeouts, merges behind). The same request may succeed: retry a bounded
 *   number of times, then treat it as permanent.
 * - `permanent`: retrying the same request gives the same answer (bad value,
 *   a limit, the schema, a bug). Isolate the records that cause it or set the
 *   batch aside with the reason; never retry it forever.
 */
export type StorageFailureKind = 'unavailable' | 'transient' | 'permanent';

export interface StorageFailure {
  kind: StorageFailureKind;
  /** ClickHouse error code and name (e.g. `252 TOO_MANY_PARTS`), or the system error code (`ENOSPC`), or ''. */
  code: string;
  message: string;
}

/** Storage could not be reached or opened: retry later, never quarantine. */
export class StorageUnavailableError extends Error {}

/** ClickHouse refused a request: `failure.kind` says whether retrying may help. */
export class StorageRejectedError extends Error {
  constructor(readonly failure: StorageFailure) {
    super(failure.message);
  }
}

/** ClickHouse codes after which the same request may succeed later, but nothing says storage is down. */
const TRANSIENT_CODES = new Set([
  '159', // TIMEOUT_EXCEEDED
  '173', // CANNOT_ALLOCATE_MEMORY
  '202', // TOO_MANY_SIMULTANEOUS_QUERIES
  '203', // NO_FREE_CONNECTION
  '236', // ABORTED
  '241', // MEMORY_LIMIT_EXCEEDED
  '252', // TOO_MANY_PARTS (merges behind; not the per-insert partition limit, see below)
  '319', // UNKNOWN_STATUS_OF_INSERT
  '394', // QUERY_WAS_CANCELLED
  '473', // DEADLOCK_AVOIDED
]);

/**
 * ClickHouse codes that mean storage cannot take writes at all right now:
 * its state, not the data (a table detached or dropped waits for an operator
 * whatever is sent).
 */
const UNAVAILABLE_CODES = new Set([
  '60', // UNKNOWN_TABLE
  '81', // UNKNOWN_DATABASE
  '218', // TABLE_IS_DROPPED
  '164', // READONLY
  '209', // SOCKET_TIMEOUT
  '210', // NETWORK_ERROR
  '242', // TABLE_IS_READ_ONLY
  '243', // NOT_ENOUGH_SPACE
]);

/** System error codes (Node, or the engine's errno text) that mean the same. */
const UNAVAILABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'EAI_AGAIN',
  'ENOSPC',
  'EROFS',
  'EIO',
  'EDQUOT',
]);

/** Engine messages of a full or broken disk, whatever code carries them (74/75/76, 425 SYSTEM_ERROR, 1000/1001). */
const DISK_TROUBLE = /No space left on device|errno: 28|Read-only file system|Disk quota exceeded|Input\/output error|Not enough space/i;
/** The per-INSERT partition limit shares code 252 with "too many parts": it is a property of the batch. */
const PARTITION_LIMIT = /Too many partitions for single INSERT block/i;
/** Connection-level failures of @clickhouse/client against a server. */
const CONNECTION_TROUBLE = /socket hang up|Timeout error|connect ECONNREFUSED|getaddrinfo|fetch failed/i;

interface ErrorLike {
  code?: unknown;
  type?: unknown;
  cause?: unknown;
  message?: unknown;
  failure?: StorageFailure;
}

/** What kind of failure `err` is (see the module comment). */
export function classifyStorageError(err: unknown): StorageFailure {
  if (err instanceof StorageRejectedError) return err.failure;
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof StorageUnavailableError) return { kind: 'unavailable', code: '', message };
  const e = (err && typeof err === 'object' ? err : {}) as ErrorLike;
  const code = e.code === undefined || e.code === null ? '' : String(e.code);
  const type = typeof e.type === 'string' ? e.type : '';
  const named = type ? `${code} ${type}` : code;
  if (UNAVAILABLE_ERRNO.has(code) || DISK_TROUBLE.test(message)) return { kind: 'unavailable', code: named, message };
  if (/^\d+$/.test(code)) {
    if (UNAVAILABLE_CODES.has(code)) return { kind: 'unavailable', code: named, message };
    if (code === '252' && PARTITION_LIMIT.test(message)) return { kind: 'permanent', code: named, message };
    if (TRANSIENT_CODES.has(code)) return { kind: 'transient', code: named, message };
    return { kind: 'permanent', code: named, message };
  }
  if (CONNECTION_TROUBLE.test(message)) return { kind: 'unavailable', code: named, message };
  if (e.cause !== undefined && e.cause !== err) {
    const inner = classifyStorageError(e.cause);
    if (inner.kind !== 'permanent' || inner.code) return inner;
  }
  // Anything else (a TypeError, an unexpected answer): retrying the same thing gives the same result.
  return { kind: 'permanent', code: named, message };
}

/** The error to throw for a failed storage call: StorageUnavailableError, or StorageRejectedError with its kind. */
export function storageError(err: unknown, context = 'ClickHouse'): Error {
  if (err instanceof StorageUnavailableError || err instanceof StorageRejectedError) return err;
  const failure = classifyStorageError(err);
  const message = `${context}: ${failure.message}`;
  if (failure.kind === 'unavailable') return new StorageUnavailableError(message);
  return new StorageRejectedError({ ...failure, message });
}

/** True when retrying later may succeed: storage down or busy (503 with Retry-After, never 500). */
export function isRetryable(err: unknown): boolean {
  return classifyStorageError(err).kind !== 'permanent';
}

/** Runs a storage call, turning its failure into the classified error (storageError). */
export async function storageCall<T>(fn: () => Promise<T>, context?: string): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw storageError(err, context);
  }
}
