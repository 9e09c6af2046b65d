import { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { HttpSettings } from '@kansa/config';
import { createServer, Server } from 'node:http';

/**
 * How often Node checks the header and request timeouts of open connections
 * (its default of 30 s would let a timeout run up to 30 s late).
 */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;

export type ServerLimits = Pick<HttpSettings, 'headersTimeoutMs' | 'requestTimeoutMs' | 'keepAliveTimeoutMs' | 'maxConnections'>;

/**
 * Express under Nest, on a Node HTTP server with the service's timeouts and
 * connection limit, and a close that can be started before Nest's own: the
 * shutdown stops accepting at once, and Nest's close waits for the same
 * promise (the end of every connection) before it closes storage.
 */
export class ServiceHttpAdapter extends ExpressAdapter {
  private closing?: Promise<void>;

  constructor(private readonly limits: ServerLimits) {
    super();
  }

  override initHttpServer(_options: NestApplicationOptions): void {
    const server = createServer(
      {
        headersTimeout: this.limits.headersTimeoutMs,
        requestTimeout: this.limits.requestTimeoutMs,
        connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
      },
      this.getInstance(),
    );
    server.keepAliveTimeout = this.limits.keepAliveTimeoutMs;
    server.maxConnections = this.limits.maxConnections;
    this.httpServer = server;
  }

  get server(): Server {
    return this.httpServer as Server;
  }

  /** Stops accepting connections; resolves once every connection has ended. */
  override close(): Promise<void> {
    return (this.closing ??= new Promise<void>((resolve) => this.server.close(() => resolve())));
  }
}
