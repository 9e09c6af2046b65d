import { z } from 'zod';

export const storageSection = z
  .object({
    /** Embedded chDB data directory (used when `url` is empty). */
    dataDir: z.string().default('./data'),
    /** ClickHouse server URL, e.g. http://127.0.0.1:8123 (env CLICKHOUSE_URL). */
    url: z.string().default(''),
    user: z.string().default('default'),
    /** From the environment (CLICKHOUSE_PASSWORD), never from the file. */
    password: z.string().default(''),
    database: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
      .default('kansa'),
    /**
     * With a ClickHouse server: this process's name in the integrity chains
     * (each writer keeps its own chain per source, so several collectors can
     * write at once). Empty: host name and process ID, a new chain per run.
     * Give each collector a stable, distinct name (env KANSA_WRITER) to
     * continue its chains across restarts. Unused in embedded mode (one writer).
     */
    writer: z
      .string()
      .regex(/^[A-Za-z0-9_.:@/-]*$/, 'letters, digits and _ . : @ / -')
      .default(''),
    /**
     * With a ClickHouse server: seconds a statement may run before kansa
     * gives up on it (the client library's own default is 30 s, shorter than
     * a large city's month takes to verify, compact or analyse the first
     * time; docs/storage.md). Unused in embedded mode.
     */
    requestTimeoutSeconds: z.number().int().min(1).default(600),
    /** How long events are kept (TTL). 7 years by default. */
    retentionYears: z.number().int().min(1).max(100).default(7),
  })
  .strict();
