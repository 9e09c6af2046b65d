import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject, Logger } from '@nestjs/common';
import { BaseExceptionFilter, HttpAdapterHost } from '@nestjs/core';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { StorageUnavailableError } from '@kansa/storage';
import type { Response } from 'express';

/**
 * ClickHouse error codes that mean "storage cannot take this now" rather
 * than a fault in kansa: disk full, read-only, overloaded, network.
 */
const TRANSIENT_CODES = new Set([
  '159', // TIMEOUT_EXCEEDED
  '164', // READONLY
  '173', // CANNOT_ALLOCATE_MEMORY
  '202', // TOO_MANY_SIMULTANEOUS_QUERIES
  '209', // SOCKET_TIMEOUT
  '210', // NETWORK_ERROR
  '241', // MEMORY_LIMIT_EXCEEDED
  '242', // TABLE_IS_READ_ONLY
  '243', // NOT_ENOUGH_SPACE
  '252', // TOO_MANY_PARTS
  '425', // SYSTEM_ERROR (e.g. EIO, ENOSPC from the file system)
]);
const TRANSIENT_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'EPIPE', 'ENOSPC', 'EROFS']);

/** True for errors after which the same request may succeed later (answer 503, never 500). */
export function isStorageUnavailable(err: unknown): boolean {
  if (err instanceof StorageUnavailableError) return true;
  const e = err as { code?: unknown; cause?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  const code = String(e.code ?? '');
  return TRANSIENT_CODES.has(code) || TRANSIENT_ERRNO.has(code) || (e.cause !== undefined && e.cause !== err && isStorageUnavailable(e.cause));
}

/**
 * Storage down (StorageUnavailableError, or a ClickHouse error that means
 * the same): 503 with Retry-After, so senders retry later and nothing
 * accepted is lost. Everything else goes to Nest's default handling.
 */
@Catch()
export class StorageUnavailableFilter extends BaseExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Storage');

  constructor(
    @Inject(KANSA_CONFIG) private readonly config: KansaConfig,
    adapterHost: HttpAdapterHost,
  ) {
    super(adapterHost.httpAdapter);
  }

  override catch(err: unknown, host: ArgumentsHost): void {
    if (err instanceof HttpException || !isStorageUnavailable(err)) return super.catch(err, host);
    const message = (err as Error).message;
    this.logger.warn(`storage unavailable: ${message}`);
    const res = host.switchToHttp().getResponse<Response>();
    res.setHeader('Retry-After', String(this.config.http.retryAfterSeconds));
    res.status(503).json({
      statusCode: 503,
      error: 'Service Unavailable',
      message: `保存先が一時的に利用できません。しばらくして同じ内容を再送してください (storage unavailable, retry later): ${message}`,
    });
  }
}
