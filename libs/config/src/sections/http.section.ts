import { z } from 'zod';

export const API_ROLES = ['ingest', 'read', 'triage'] as const;
export type ApiRole = (typeof API_ROLES)[number];

/** One API client: its token is stored only as a SHA-256 hex digest. */
const tokenEntry = z
  .object({
    /** Who holds the token: recorded in the access audit and as the ingest origin (`http:<name>`). */
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, ".", "_" or "-"'),
    /** Hex SHA-256 of the token (`kansa token create` prints it). */
    sha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lower-case hex digits (SHA-256 of the token)'),
    /** ingest: sending systems; read: staff reading findings/events/reports; triage: read + triage transitions. */
    role: z.enum(API_ROLES),
    /**
     * ingest tokens: the source systems this sender may post (`kansa token
     * create --sources jumin`); canonical events must name one of them as
     * their source. Empty: any source (tokens made before scoping existed).
     */
    sources: z.array(z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'a source system name')).default([]),
  })
  .strict();

/** The HTTP API of `kansa serve`. */
export const httpSection = z
  .object({
    /** Listen address: loopback unless the site decides otherwise. */
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8470),
    /** Largest request body accepted, in bytes (413 above it). */
    bodyLimitBytes: z
      .number()
      .int()
      .min(1024)
      .default(10 * 1024 * 1024),
    /** Most lines/objects in one ingest request (413 above it). */
    maxBatchLines: z.number().int().min(1).default(50_000),
    /**
     * Group commit of ingest requests (docs/collector.md "HTTP: requests
     * committed together"): requests of the same source and instance that
     * arrive while a commit is in flight wait for the next commit and share
     * it (one batch, one ledger row), each acknowledged only once it is
     * stored. A group closes when the commit before it ends, at `maxLines`
     * lines, or `maxWaitMs` after its first request; a request of `maxLines`
     * lines or more is committed alone. maxLines 0: every request alone.
     */
    groupCommit: z
      .object({
        maxLines: z.number().int().min(0).max(1_000_000).default(20_000),
        maxWaitMs: z.number().int().min(1).max(60_000).default(500),
        /**
         * When the commits in flight end, how long the next group waits for
         * the senders just answered to send again (it closes as soon as they
         * all have): senders that resend at once then share every commit
         * instead of alternating between two half groups. 0: no waiting.
         */
        gatherMs: z.number().int().min(0).max(10_000).default(20),
      })
      .strict()
      .default({ maxLines: 20_000, maxWaitMs: 500, gatherMs: 20 }),
    /** Seconds a client is told to wait (Retry-After) while storage is unavailable. */
    retryAfterSeconds: z.number().int().min(1).default(5),
    /**
     * Time from SIGTERM to the end of the process, in ms: requests in flight
     * may finish until the last quarter of it (at most 5 s) remains, then the
     * connections still open are closed and storage is closed; at the end the
     * process exits whatever remains (docs/service.md "Shutdown").
     */
    shutdownGraceMs: z.number().int().min(0).default(30_000),
    /**
     * Admission (docs/service.md "Admission control"): ingest requests handled
     * at once by this process. Beyond it a request is answered 503 with
     * Retry-After before its body is read.
     */
    maxInflightRequests: z.number().int().min(1).default(8),
    /** Bytes of ingest bodies in flight at once (by Content-Length; a body without one counts as bodyLimitBytes). */
    maxInflightBytes: z
      .number()
      .int()
      .min(1024)
      .default(32 * 1024 * 1024),
    /** Other API requests (findings, events, reports, metrics, docs) at once; /health is never refused. */
    maxInflightReads: z.number().int().min(1).default(32),
    /** Open connections at most; a connection beyond it is closed at once. */
    maxConnections: z.number().int().min(1).default(1024),
    /** Time a client has to send the request headers, in ms. */
    headersTimeoutMs: z.number().int().min(1000).default(20_000),
    /** Time a client has to send the whole request (headers and body), in ms; a slower one gets 408 and nothing of it is stored. */
    requestTimeoutMs: z.number().int().min(1000).default(60_000),
    /** Time an idle keep-alive connection stays open, in ms. */
    keepAliveTimeoutMs: z.number().int().min(100).default(5_000),
    /**
     * Reverse proxies (addresses or CIDR ranges, e.g. 10.0.0.5) whose
     * X-Forwarded-For / X-Forwarded-Proto are believed: the client's address
     * recorded in the audit log, and whether the connection was TLS (Secure
     * cookies). Empty: the peer's own address, headers ignored.
     */
    trustedProxies: z.array(z.string().min(1)).default([]),
    tokens: z.array(tokenEntry).default([]),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.headersTimeoutMs > v.requestTimeoutMs) {
      ctx.addIssue({ code: 'custom', path: ['headersTimeoutMs'], message: `must not exceed requestTimeoutMs (${v.requestTimeoutMs})` });
    }
    const seen = new Set<string>();
    v.tokens.forEach((t, i) => {
      if (seen.has(t.name)) ctx.addIssue({ code: 'custom', path: ['tokens', i, 'name'], message: `duplicate token name ${t.name}` });
      seen.add(t.name);
    });
  });

export type HttpSettings = z.infer<typeof httpSection>;
export type ApiToken = HttpSettings['tokens'][number];
