import { DynamicModule, INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { HttpException } from '@nestjs/common';
import { KansaConfig } from '@kansa/config';
import cookieParser from 'cookie-parser';
import type { NextFunction, Request, Response } from 'express';
import { AdmissionClass, AdmissionControl } from './admission';
import { authenticate } from './api-auth.guard';
import { consoleStatic } from './console-static';
import { ServiceHttpAdapter } from './http-server';
import { securityHeaders } from './security-headers';
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

/** How a shutdown went. */
export interface ShutdownOutcome {
  /** Requests whose connection was closed before they were answered (their batches were never acknowledged). */
  interrupted: Record<AdmissionClass, number>;
}

/** A running service: its address, and a promise that settles once it has shut down. */
export interface RunningService {
  app: INestApplication;
  url: string;
  /**
   * Closes: refuses new requests (503), stops accepting connections, lets
   * requests in flight finish — or, `forceAfterMs` after the start, closes
   * the connections still open — then stops consumers and pollers and closes
   * storage. Idempotent.
   */
  close(options?: { forceAfterMs?: number }): Promise<ShutdownOutcome>;
}

/**
 * Creates the Nest HTTP application around `rootModule`, with timeouts,
 * admission control, body limits, the OpenAPI description (token required
 * like every route but /health), request metrics and shutdown, and starts
 * listening.
 */
export async function startHttpService(
  rootModule: DynamicModule,
  config: KansaConfig,
  options: HttpServiceOptions = {},
): Promise<RunningService> {
  const adapter = new ServiceHttpAdapter(config.http);
  const app = await NestFactory.create<NestExpressApplication>(rootModule, adapter, {
    bodyParser: false,
    logger:
      options.logger ??
      new ServiceLogger({ logLevels: process.env.KANSA_DEBUG ? ['log', 'error', 'warn', 'debug'] : ['log', 'error', 'warn'] }),
    abortOnError: false,
  });
  const metrics = app.get(MetricsService);
  const express = app.getHttpAdapter().getInstance() as { disable(setting: string): void };
  express.disable('x-powered-by');
  // X-Forwarded-For is believed only from the configured reverse proxies (req.ip); otherwise the peer's address.
  app.set('trust proxy', config.http.trustedProxies.length ? config.http.trustedProxies : false);
  app.use(securityHeaders(`/${OPENAPI_PATH}`));
  // Before the body parsers: admitted or refused before any body is read.
  const admission = new AdmissionControl(config.http, metrics);
  app.use(admission.middleware);
  const limit = config.http.bodyLimitBytes;
  app.useBodyParser('json', { limit, type: ['application/json', 'application/*+json'] });
  app.useBodyParser('text', { limit, type: ['text/plain', 'application/x-ndjson', 'text/csv'] });
  app.use(bodyErrors);
  app.use(cookieParser());
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
  app.use(consoleStatic());
  SwaggerModule.setup(OPENAPI_PATH, app, () => buildOpenApi(app), {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    yamlDocumentUrl: 'api/docs/openapi.yaml',
  });
  const host = options.host ?? config.http.host;
  await app.listen(options.port ?? config.http.port, host);
  const address = app.getHttpServer().address() as { port: number };
  let closing: Promise<ShutdownOutcome> | undefined;
  return {
    app,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    close: (closeOptions = {}) => (closing ??= shutdown(app, adapter, admission, closeOptions.forceAfterMs)),
  };
}

/** How often idle keep-alive connections (and, once forced, all connections) are closed during a shutdown. */
const SWEEP_INTERVAL_MS = 200;

async function shutdown(
  app: INestApplication,
  adapter: ServiceHttpAdapter,
  admission: AdmissionControl,
  forceAfterMs?: number,
): Promise<ShutdownOutcome> {
  admission.drain();
  void adapter.close(); // stop accepting now; Nest's close below waits for the same promise
  const server = adapter.server;
  let forced = false;
  let interrupted: Record<AdmissionClass, number> = { ingest: 0, api: 0 };
  // A keep-alive connection becomes idle when its request is answered: close it then.
  const sweep = setInterval(() => (forced ? server.closeAllConnections() : server.closeIdleConnections()), SWEEP_INTERVAL_MS);
  const force =
    forceAfterMs === undefined
      ? undefined
      : setTimeout(() => {
          // Requests still in flight now are cut off: a body that did not complete was never acknowledged.
          forced = true;
          interrupted = admission.inFlight();
          server.closeAllConnections();
        }, forceAfterMs);
  try {
    await app.close();
  } finally {
    clearInterval(sweep);
    clearTimeout(force);
  }
  return { interrupted };
}

/**
 * SIGTERM/SIGINT: closes the service within `graceMs` and resolves with how
 * it went. Requests in flight may finish until the last quarter of the grace
 * period (at most 5 s) remains; then their connections are closed, so that
 * storage can be closed in the rest. Should the process still be alive when
 * the grace period has run out, it exits with code 1 there and then — a
 * client mid-body never keeps it (or its data directory) beyond the grace.
 */
export function closeOnSignals(service: RunningService, graceMs: number, log: (line: string) => void): Promise<ShutdownOutcome> {
  return new Promise<ShutdownOutcome>((resolve, reject) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      log(`${signal}: 停止します (新しい要求を断り、処理中のバッチを保存してから終了します; ${graceMs} ms 以内)`);
      const exitAtGrace = setTimeout(() => {
        log(`停止処理が ${graceMs} ms 以内に終わらないため終了します (shutdown did not finish within the grace period: exiting)`);
        process.exit(1);
      }, graceMs);
      exitAtGrace.unref(); // does not keep a process that has finished closing
      service.close({ forceAfterMs: graceMs - Math.min(5000, Math.floor(graceMs / 4)) }).then(resolve, reject);
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
        ' /health とログイン以外は、Bearer トークン (機械: ingest, read, triage) か管理画面のセッション (人: admin, officer, reviewer, auditor, viewer) が必要です。' +
        ' 各操作の x-kansa-permission が必要な権限です (docs/console.md)。',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  return SwaggerModule.createDocument(app, doc);
}

/** Body parser failures as JSON with a reason, not an HTML page. */
function bodyErrors(
  err: Error & { status?: number; type?: string; limit?: number },
  _req: Request,
  res: Response,
  next: NextFunction,
): void {
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
