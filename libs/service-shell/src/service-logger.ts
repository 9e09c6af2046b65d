import { ConsoleLogger } from '@nestjs/common';
import { StorageUnavailableError } from '@kansa/storage';

/** Nest's start-up chatter (modules loaded, routes mapped): not what staff need in the service log. */
const QUIET_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

/**
 * The log of the service and of the commands: Nest's console logger without the start-up chatter, and without
 * Nest's account (a stack trace) of storage that could not be opened at start — the data directory held by
 * another process, a server not reached — which the command says itself in one line (`kansa: …`). KANSA_DEBUG
 * shows everything.
 */
export class ServiceLogger extends ConsoleLogger {
  override log(message: unknown, context?: string): void;
  override log(message: unknown, ...rest: unknown[]): void {
    if (!process.env.KANSA_DEBUG && QUIET_CONTEXTS.has(contextOf(rest))) return;
    super.log(message, ...(rest as [string]));
  }

  override error(message: unknown, stackOrContext?: string): void;
  override error(message: unknown, ...rest: unknown[]): void {
    if (!process.env.KANSA_DEBUG && message instanceof StorageUnavailableError && contextOf(rest) === 'ExceptionHandler') return;
    super.error(message, ...(rest as [string]));
  }
}

function contextOf(rest: unknown[]): string {
  const last = rest[rest.length - 1];
  return typeof last === 'string' ? last : '';
}
