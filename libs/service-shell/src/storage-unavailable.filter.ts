import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject, Logger } from '@nestjs/common';
import { BaseExceptionFilter, HttpAdapterHost } from '@nestjs/core';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { isRetryable } from '@kansa/storage';
import type { Response } from 'express';
import type { AuthedRequest } from './api-auth.guard';

/** True for errors after which the same request may succeed later (answer 503, never 500): the one classification of @kansa/storage. */
export function isStorageUnavailable(err: unknown): boolean {
  return isRetryable(err);
}

/**
 * Storage down (StorageUnavailableError, or a ClickHouse error that means
 * the same): 503 with Retry-After, so senders retry later and nothing
 * accepted is lost; the storage's own message only to authenticated callers
 * (an unauthenticated caller never sees internal paths or database errors).
 * An HttpException carrying `retryAfter` (429, 423) gets the Retry-After
 * header. Everything else goes to Nest's default handling (a 500 says only
 * "Internal server error").
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
    const res = host.switchToHttp().getResponse<Response>();
    if (err instanceof HttpException) {
      const retryAfter = (err.getResponse() as { retryAfter?: number }).retryAfter;
      if (retryAfter) res.setHeader('Retry-After', String(retryAfter));
      return super.catch(err, host);
    }
    if (!isStorageUnavailable(err)) return super.catch(err, host);
    const message = (err as Error).message;
    this.logger.warn(`storage unavailable: ${message}`);
    const authenticated = Boolean(host.switchToHttp().getRequest<AuthedRequest>().apiClient);
    res.setHeader('Retry-After', String(this.config.http.retryAfterSeconds));
    res.status(503).json({
      statusCode: 503,
      error: 'Service Unavailable',
      message:
        '保存先が一時的に利用できません。しばらくして同じ内容を再送してください (storage unavailable, retry later)' +
        (authenticated ? `: ${message}` : ''),
    });
  }
}
