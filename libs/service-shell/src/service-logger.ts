import { ConsoleLogger } from '@nestjs/common';

/** Nest's start-up chatter (modules loaded, routes mapped): not what staff need in the service log. */
const QUIET_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

/** The service's log: Nest's console logger without the start-up chatter (KANSA_DEBUG shows everything). */
export class ServiceLogger extends ConsoleLogger {
  override log(message: unknown, context?: string): void;
  override log(message: unknown, ...rest: unknown[]): void {
    const context = rest[rest.length - 1];
    if (!process.env.KANSA_DEBUG && typeof context === 'string' && QUIET_CONTEXTS.has(context)) return;
    super.log(message, ...(rest as [string]));
  }
}
