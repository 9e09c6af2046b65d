import { DynamicModule, INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { HttpException } from '@nestjs/common';
import { KansaConfig } from '@kansa/config';
import type { NextFunction, Request, Response } from 'express';
import { authenticate } from './api-auth.guard';
import { MetricsService } from './metrics.service';
import { ServiceLogger } from './service-logger';

export const OPENAPI_PATH = 'api/docs';
export const OPENAPI_JSON_PATH = 'api/docs/openapi.json';

export interface HttpServiceOptions {
  /** Overrides of http.host / http.port (command-line flags). */
  host?: string;
  port?: number;
  logger?: LogLevel[] | false;
}

/** A running service: its address, and a promise that settles once it has shut down. */
export interface RunningService {
  app: INestApplication;
  url: string;
  /** Closes gracefully: stops accepting, finishes requests in flight, stops consumers and pollers, closes storage. */
  close(): Promise<void>;
}

/**
 * Creates the Nest HTTP application around `rootModule`, with body limits,
 * the OpenAPI description (token required like every route but /health),
 * request metrics and shutdown hooks, and starts listening.
 */
export async function startHttpService(rootModule: DynamicModule, config: KansaConfig, options: HttpServiceOptions = {}): Promise<RunningService> {
  const app = await NestFactory.create<NestExpressApplication>(rootModule, {
    bodyParser: false,
    logger: options.logger ?? new ServiceLogger({ logLevels: process.env.KANSA_DEBUG ? ['log', 'error', 'warn', 'debug'] : ['log', 'error', 'warn'] }),
    abortOnError: false,
  });
  const limit = config.http.bodyLimitBytes;
  app.useBodyParser('json', { limit, type: ['application/json', 'application/*+json'] });
  app.useBodyParser('text', { limit, type: ['text/plain', 'application/x-ndjson', 'text/csv'] });
  app.use(bodyErrors);
  const metrics = app.get(MetricsService);
  app.use((req: Request, res: Response, next: NextFunction) => {
    res.on('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  });
  // The description lists every route and role: behind a token like the rest.
  app.use(`/${OPENAPI_PATH}`, (req: Request, res: Response, next: NextFunction) => {
    try {
      authenticate(config, req.headers.authorization);
      next();
    } catch (err) {
      const e = err as HttpException;
      res.status(e.getStatus()).json(e.getResponse());
    }
  });
  SwaggerModule.setup(OPENAPI_PATH, app, () => buildOpenApi(app), { jsonDocumentUrl: OPENAPI_JSON_PATH, yamlDocumentUrl: 'api/docs/openapi.yaml' });
  const host = options.host ?? config.http.host;
  await app.listen(options.port ?? config.http.port, host);
  const address = app.getHttpServer().address() as { port: number };
  let closing: Promise<void> | undefined;
  return {
    app,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    close: () => (closing ??= app.close()),
  };
}

/**
 * SIGTERM/SIGINT: graceful close within http.shutdownGraceMs, then the
 * returned promise resolves (exit code 0), or rejects when the grace ran out.
 */
export function closeOnSignals(service: RunningService, graceMs: number, log: (line: string) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      log(`${signal}: 停止します (受付を止め、処理中のバッチを保存してから終了します)`);
      const timer = setTimeout(() => reject(new Error(`shutdown did not finish within ${graceMs} ms`)), graceMs);
      timer.unref();
      service.close().then(
        () => {
          clearTimeout(timer);
          resolve();
        },
        (err) => {
          clearTimeout(timer);
          reject(err);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

export function buildOpenApi(app: INestApplication): OpenAPIObject {
  const doc = new DocumentBuilder()
    .setTitle('kansa API')
    .setDescription(
      '監査 kansa: アクセスログの受信 (ingest)、検知結果 (findings) の参照と確認、住民・職員ごとの操作履歴 (events)、月次報告書 (reports)。' +
        ' /health 以外はすべて Bearer トークンが必要です (roles: ingest, read, triage)。',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  return SwaggerModule.createDocument(app, doc);
}

/** Body parser failures as JSON with a reason, not an HTML page. */
function bodyErrors(err: Error & { status?: number; type?: string; limit?: number }, _req: Request, res: Response, next: NextFunction): void {
  if (!err) return next();
  if (err.type === 'entity.too.large') {
    res.status(413).json({
      statusCode: 413,
      error: 'Payload Too Large',
      message: `リクエストが大きすぎます: 上限 ${err.limit} バイト。分割して送ってください (body larger than ${err.limit} bytes)`,
    });
    return;
  }
  if (err.type === 'entity.parse.failed') {
    res.status(400).json({ statusCode: 400, error: 'Bad Request', message: `JSON として読めません (invalid JSON): ${err.message}` });
    return;
  }
  res.status(err.status ?? 400).json({ statusCode: err.status ?? 400, error: 'Bad Request', message: err.message });
}
