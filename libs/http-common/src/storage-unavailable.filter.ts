import { ArgumentsHost, Catch, ExceptionFilter, Inject } from '@nestjs/common';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { StorageUnavailableError } from '@kansa/storage';
import type { Response } from 'express';

/** Storage down: 503 with Retry-After, so senders retry later (nothing accepted is lost). */
@Catch(StorageUnavailableError)
export class StorageUnavailableFilter implements ExceptionFilter {
  constructor(@Inject(KANSA_CONFIG) private readonly config: KansaConfig) {}

  catch(err: StorageUnavailableError, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    res.setHeader('Retry-After', String(this.config.http.retryAfterSeconds));
    res.status(503).json({
      statusCode: 503,
      error: 'Service Unavailable',
      message: `保存先が一時的に利用できません。しばらくして再送してください (storage unavailable, retry later): ${err.message}`,
    });
  }
}
