import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { isServicePath } from './console-static';

/**
 * Security headers of every answer (helmet): a strict Content Security Policy
 * (everything from this origin only: the console bundles its scripts, styles
 * and fonts), no framing, no referrer, no MIME sniffing; the framework's
 * banner (X-Powered-By) removed. The OpenAPI page (Swagger UI, inline
 * scripts) gets the same headers without the CSP. Every API answer is
 * `Cache-Control: no-store`: findings, events and reports carry personal data.
 */
export function securityHeaders(docsPath: string): RequestHandler {
  const common = {
    referrerPolicy: { policy: 'no-referrer' as const },
    crossOriginEmbedderPolicy: false,
    frameguard: { action: 'deny' as const },
  };
  const strict = helmet({
    ...common,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
  });
  const docs = helmet({ ...common, contentSecurityPolicy: false });
  return (req: Request, res: Response, next: NextFunction) => {
    if (isServicePath(req.path)) res.setHeader('Cache-Control', 'no-store');
    (req.path.startsWith(docsPath) ? docs : strict)(req, res, next);
  };
}
