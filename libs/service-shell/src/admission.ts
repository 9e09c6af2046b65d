import type { HttpSettings } from '@kansa/config';
import type { NextFunction, Request, Response } from 'express';
import { MetricsService } from './metrics.service';

/** Requests counted apart: ingest (large bodies, storage writes) and the rest of the API (small bodies, reads). */
export type AdmissionClass = 'ingest' | 'api';
export const ADMISSION_CLASSES: readonly AdmissionClass[] = ['ingest', 'api'];

export type AdmissionLimits = Pick<
  HttpSettings,
  'maxInflightRequests' | 'maxInflightBytes' | 'maxInflightReads' | 'bodyLimitBytes' | 'retryAfterSeconds'
>;

type Refusal = 'busy' | 'shutting-down';

/**
 * Admission control of one process (docs/service.md "Admission control"):
 * a request is counted when it arrives — its headers read, its body not yet —
 * and refused with 503 + Retry-After (and the connection closed, so its body
 * is not read) when its class is full: ingest by requests and by declared
 * body bytes, other API routes by requests; /health is never refused. A
 * request is released when its response has been sent or its connection
 * closed. Nothing refused was read, so nothing refused was acknowledged: the
 * sender resends the same batch (duplicates are recognised by content).
 */
export class AdmissionControl {
  private readonly inflight: Record<AdmissionClass, { requests: number; bytes: number }> = {
    ingest: { requests: 0, bytes: 0 },
    api: { requests: 0, bytes: 0 },
  };
  private draining = false;

  constructor(
    private readonly limits: AdmissionLimits,
    private readonly metrics: MetricsService,
  ) {
    metrics.httpInflightLimit.set({ class: 'ingest', kind: 'requests' }, limits.maxInflightRequests);
    metrics.httpInflightLimit.set({ class: 'ingest', kind: 'bytes' }, limits.maxInflightBytes);
    metrics.httpInflightLimit.set({ class: 'api', kind: 'requests' }, limits.maxInflightReads);
    for (const c of ADMISSION_CLASSES) this.publish(c);
  }

  /** Express middleware; registered before the body parsers, so it decides before a body is read. */
  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    const admissionClass = classify(req);
    if (!admissionClass) return next();
    const bytes = admissionClass === 'ingest' ? this.declaredBytes(req) : 0;
    const refusal: Refusal | undefined = this.draining ? 'shutting-down' : this.full(admissionClass, bytes) ? 'busy' : undefined;
    if (refusal) return this.refuse(res, admissionClass, refusal);
    this.move(admissionClass, 1, bytes);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.move(admissionClass, -1, -bytes);
    };
    res.once('finish', release);
    res.once('close', release);
    next();
  };

  /** From now on every request is refused (shutdown): 503, Retry-After, connection closed. */
  drain(): void {
    this.draining = true;
  }

  /** Requests admitted and not yet answered, per class. */
  inFlight(): Record<AdmissionClass, number> {
    return { ingest: this.inflight.ingest.requests, api: this.inflight.api.requests };
  }

  /** Body bytes an ingest request will hold: its Content-Length (at most the body limit, above which it gets 413 unread), or the body limit without one. */
  private declaredBytes(req: Request): number {
    const header = req.headers['content-length'];
    const declared = header !== undefined && /^\d+$/.test(header) ? Number(header) : Number.POSITIVE_INFINITY;
    return Math.min(declared, this.limits.bodyLimitBytes);
  }

  private full(c: AdmissionClass, bytes: number): boolean {
    const now = this.inflight[c];
    if (c === 'api') return now.requests >= this.limits.maxInflightReads;
    // One request is always admitted when none is in flight, whatever its size (up to the body limit).
    return now.requests >= this.limits.maxInflightRequests || (now.requests > 0 && now.bytes + bytes > this.limits.maxInflightBytes);
  }

  private refuse(res: Response, c: AdmissionClass, refusal: Refusal): void {
    const after = this.limits.retryAfterSeconds;
    this.metrics.httpRefused.inc({ class: c, reason: refusal });
    const message =
      refusal === 'shutting-down'
        ? `停止処理中です。${after} 秒後に同じ内容を再送してください (shutting down: resend the same request after ${after} s)`
        : c === 'ingest'
          ? `混雑しています: 受信中の要求が上限 (${this.limits.maxInflightRequests} 件・${this.limits.maxInflightBytes} バイト) に達しました。` +
            `${after} 秒後に同じバッチを再送してください (server busy: resend the same batch after ${after} s)`
          : `混雑しています: 処理中の要求が上限 (${this.limits.maxInflightReads} 件) に達しました。${after} 秒後に再送してください (server busy: retry after ${after} s)`;
    res.setHeader('Retry-After', String(after));
    // The body is not read: close the connection after the answer rather than drain it.
    res.setHeader('Connection', 'close');
    res.status(503).json({ statusCode: 503, error: 'Service Unavailable', message });
  }

  private move(c: AdmissionClass, requests: number, bytes: number): void {
    this.inflight[c].requests += requests;
    this.inflight[c].bytes += bytes;
    this.publish(c);
  }

  private publish(c: AdmissionClass): void {
    this.metrics.httpInflightRequests.set({ class: c }, this.inflight[c].requests);
    this.metrics.httpInflightBytes.set({ class: c }, this.inflight[c].bytes);
  }
}

/** The class of a request, or undefined for /health (probes must answer under load). */
export function classify(req: Pick<Request, 'method' | 'path'>): AdmissionClass | undefined {
  if (req.path === '/health') return undefined;
  return req.method === 'POST' && req.path.startsWith('/api/ingest/') ? 'ingest' : 'api';
}
