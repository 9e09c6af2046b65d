import type { ServiceStatsRepository } from './service-stats.repository';
import type { NextFunction, Request, Response } from 'express';
import { EventEmitter } from 'node:events';
import { AdmissionControl, AdmissionLimits, classify } from './admission';
import { MetricsService } from './metrics.service';

const LIMITS: AdmissionLimits = {
  maxInflightRequests: 3,
  maxInflightBytes: 1000,
  maxInflightReads: 2,
  bodyLimitBytes: 600,
  retryAfterSeconds: 7,
};

/** A response as the middleware uses it: headers, status, json, and the finish/close events. */
class FakeResponse extends EventEmitter {
  statusCode = 200;
  headers: Record<string, string> = {};
  body: unknown;
  setHeader(name: string, value: string) {
    this.headers[name.toLowerCase()] = value;
  }
  status(code: number) {
    this.statusCode = code;
    return this;
  }
  json(body: unknown) {
    this.body = body;
    this.emit('finish');
    this.emit('close');
    return this;
  }
}

describe('AdmissionControl', () => {
  let metrics: MetricsService;
  let admission: AdmissionControl;
  beforeEach(() => {
    metrics = new MetricsService({} as ServiceStatsRepository);
    admission = new AdmissionControl(LIMITS, metrics);
  });

  /** Sends a request through the middleware: whether it was admitted, and its response. */
  function arrive(method: string, path: string, contentLength?: number): { admitted: boolean; res: FakeResponse } {
    const req = {
      method,
      path,
      headers: contentLength === undefined ? {} : { 'content-length': String(contentLength) },
    } as unknown as Request;
    const res = new FakeResponse();
    let admitted = false;
    admission.middleware(req, res as unknown as Response, (() => (admitted = true)) as NextFunction);
    return { admitted, res };
  }

  const metric = async (name: string) => (await metrics.registry.getSingleMetric(name)!.get()).values;

  it('classifies ingest, the rest of the API, and leaves /health alone', () => {
    expect(classify({ method: 'POST', path: '/api/ingest/jumin' })).toBe('ingest');
    expect(classify({ method: 'GET', path: '/api/findings' })).toBe('api');
    expect(classify({ method: 'POST', path: '/api/findings/x/transition' })).toBe('api');
    expect(classify({ method: 'GET', path: '/health' })).toBeUndefined();
  });

  it('admits ingest up to the request limit, then answers 503 + Retry-After and closes the connection', async () => {
    const admitted = [1, 2, 3].map(() => arrive('POST', '/api/ingest/jumin', 100));
    expect(admitted.every((a) => a.admitted)).toBe(true);
    const refused = arrive('POST', '/api/ingest/jumin', 100);
    expect(refused.admitted).toBe(false);
    expect(refused.res.statusCode).toBe(503);
    expect(refused.res.headers).toMatchObject({ 'retry-after': '7', connection: 'close' });
    expect((refused.res.body as { message: string }).message).toContain('resend the same batch after 7 s');
    expect(admission.inFlight()).toEqual({ ingest: 3, api: 0 });
    expect(await metric('kansa_http_refused_total')).toEqual([
      expect.objectContaining({ labels: { class: 'ingest', reason: 'busy' }, value: 1 }),
    ]);
    // The other API routes have their own bound, and /health none.
    expect(arrive('GET', '/api/findings').admitted).toBe(true);
    expect(arrive('GET', '/health').admitted).toBe(true);
  });

  it('counts declared body bytes (a body without Content-Length as the body limit), and always admits one request alone', async () => {
    const a = arrive('POST', '/api/ingest/jumin', 500);
    expect(a.admitted).toBe(true);
    expect(arrive('POST', '/api/ingest/jumin', 501).admitted).toBe(false); // 500 + 501 > 1000
    expect(arrive('POST', '/api/ingest/jumin').admitted).toBe(false); // no Content-Length: 600
    const b = arrive('POST', '/api/ingest/jumin', 400);
    expect(b.admitted).toBe(true);
    expect(await metric('kansa_http_inflight_bytes')).toEqual(
      expect.arrayContaining([expect.objectContaining({ labels: { class: 'ingest' }, value: 900 })]),
    );
    a.res.emit('finish');
    b.res.emit('close'); // a connection closed before the answer releases too
    b.res.emit('finish'); // … once
    expect(admission.inFlight().ingest).toBe(0);
    // Alone, even a body larger than maxInflightBytes is admitted (counted at the body limit, above which it gets 413 unread).
    const big = new AdmissionControl({ ...LIMITS, maxInflightBytes: 100 }, metrics);
    const req = { method: 'POST', path: '/api/ingest/jumin', headers: { 'content-length': '5000' } } as unknown as Request;
    let admitted = false;
    big.middleware(req, new FakeResponse() as unknown as Response, (() => (admitted = true)) as NextFunction);
    expect(admitted).toBe(true);
  });

  it('bounds the other API routes by their own limit', () => {
    expect([1, 2].map(() => arrive('GET', '/api/events').admitted)).toEqual([true, true]);
    const refused = arrive('GET', '/api/findings');
    expect(refused.res.statusCode).toBe(503);
    expect(arrive('POST', '/api/ingest/jumin', 10).admitted).toBe(true);
  });

  it('refuses everything but /health once draining (shutdown), saying so', () => {
    admission.drain();
    const refused = arrive('POST', '/api/ingest/jumin', 10);
    expect(refused.res.statusCode).toBe(503);
    expect((refused.res.body as { message: string }).message).toContain('shutting down');
    expect(arrive('GET', '/api/findings').res.statusCode).toBe(503);
    expect(arrive('GET', '/health').admitted).toBe(true);
  });
});
