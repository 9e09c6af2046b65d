import { hostname } from 'node:os';

/**
 * The name this process writes its chains under (import batches, the audit
 * trail): '' with the embedded engine (one process owns the data directory);
 * with a ClickHouse server storage.writer, else host:pid — so that processes
 * writing at once never share a chain.
 */
export function processWriter(storage: { url: string; writer: string }): string {
  return storage.url ? storage.writer || `${hostname()}:${process.pid}` : '';
}
