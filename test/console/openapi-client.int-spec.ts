import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

/**
 * The console's API client is generated from kansa's own OpenAPI document
 * (`npm run openapi`). The committed document and types must be what the
 * API says now: a route, parameter or answer changed without regenerating
 * fails here — and the console's type check (npm run typecheck) then shows
 * every page the change breaks. (A process of its own: openapi-typescript is
 * an ES module, which jest's module system does not load.)
 */
describe('the console client is generated from the API as it is', () => {
  it('matches the committed openapi.json and schema.d.ts (else run `npm run openapi` and commit)', async () => {
    const result = await run('node', ['-r', './scripts/register.js', 'scripts/openapi.ts', '--check'], { cwd: ROOT }).then(
      (r) => ({ code: 0, out: r.stdout }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
    );
    expect(result.out).toContain('the console client matches the API');
    expect(result.code).toBe(0);
    // the document really describes the console's routes
    const doc = JSON.parse(readFileSync(join(ROOT, 'apps/console/src/api/openapi.json'), 'utf8')) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/session',
        '/api/console/dashboard',
        '/api/console/findings',
        '/api/events',
        '/api/audit',
        '/api/users',
      ]),
    );
  }, 120_000);
});
