import express from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where `npm run build:console` (run by `npm install`) writes the console (apps/console/dist). */
export const CONSOLE_DIST = resolve(__dirname, '..', '..', '..', 'apps', 'console', 'dist');

/** Paths that belong to the HTTP API and the service, never to the console. */
export function isServicePath(path: string): boolean {
  return path.startsWith('/api/') || path === '/api' || path === '/health' || path === '/metrics';
}

/**
 * The console (管理画面) at `/`: the built single-page application as static
 * files. Hashed assets may be cached for good; index.html is answered for
 * every other GET that is not the API (client-side routes such as
 * /findings/…), and never cached. Without a build, a page says how to make it.
 */
export function consoleStatic(dist: string = CONSOLE_DIST): RequestHandler {
  const index = join(dist, 'index.html');
  const assets = express.static(dist, {
    index: false,
    redirect: false,
    setHeaders: (res, path) => {
      res.setHeader('Cache-Control', path.includes(`${join(dist, 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-store');
    },
  });
  return (req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || isServicePath(req.path)) return next();
    assets(req, res, () => {
      if (req.path.startsWith('/assets/')) return next(); // a missing asset is a 404, not the page
      res.setHeader('Cache-Control', 'no-store');
      if (!existsSync(index)) {
        res
          .status(503)
          .type('text/plain; charset=utf-8')
          .send('管理画面がビルドされていません。`npm run build:console` を実行してください (console not built)\n');
        return;
      }
      res.sendFile(index);
    });
  };
}
