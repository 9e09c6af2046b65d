import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Which way the imports go (README "Architecture"): checked over every
 * tracked source file, so that the map stays true. Test files and test
 * helpers may import the shared test kit.
 */
const ROOT = join(__dirname, '..');
const files = execFileSync('git', ['ls-files', '*.ts', '*.tsx'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
const isTest = (f: string) =>
  /\.(spec|int-spec|e2e-spec)\.ts$/.test(f) || /\/(testing|fixtures)\//.test(f) || f.startsWith('test/') || f.startsWith('bench/');

function kansaImports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/from '(@kansa\/[a-z-]+(?:\/[^']*)?)'/g)].map((m) => m[1]);
}

/** What each part may import (besides itself); the pure calendar arithmetic is open to every layer. */
const ALLOWED: Array<[prefix: string, allowed: string[]]> = [
  ['libs/domain/', []],
  ['libs/config/', ['@kansa/domain', '@kansa/calendar/business-calendar']],
  ['libs/storage/', ['@kansa/domain', '@kansa/config']],
  ['libs/calendar/', ['@kansa/domain', '@kansa/config', '@kansa/storage', '@kansa/masters']],
  [
    'libs/masters/',
    [
      '@kansa/domain',
      '@kansa/config',
      '@kansa/storage',
      '@kansa/audit-trail',
      '@kansa/calendar/business-calendar',
      '@kansa/calendar/business-hours',
    ],
  ],
  ['libs/rules/', ['@kansa/domain', '@kansa/config', '@kansa/storage', '@kansa/calendar']],
  ['libs/integrity/', ['@kansa/domain', '@kansa/config', '@kansa/storage', '@kansa/calendar/business-calendar']],
  ['libs/audit-trail/', ['@kansa/domain', '@kansa/config', '@kansa/storage']],
  ['libs/service-shell/', ['@kansa/domain', '@kansa/config', '@kansa/storage', '@kansa/calendar', '@kansa/audit-trail']],
  ['libs/demo/', ['@kansa/domain', '@kansa/config', '@kansa/calendar', '@kansa/masters']],
  [
    'apps/collector/',
    [
      '@kansa/domain',
      '@kansa/config',
      '@kansa/storage',
      '@kansa/calendar',
      '@kansa/service-shell',
      '@kansa/integrity',
      '@kansa/audit-trail',
    ],
  ],
  // The console is a browser application: it talks to kansa through the generated API client only.
  ['apps/console/', []],
  [
    'apps/analyzer/',
    [
      '@kansa/domain',
      '@kansa/config',
      '@kansa/storage',
      '@kansa/calendar',
      '@kansa/masters',
      '@kansa/rules',
      '@kansa/service-shell',
      '@kansa/integrity',
      '@kansa/audit-trail',
    ],
  ],
];

describe('architecture: which way the imports go', () => {
  it('every library and part imports only what lies below it (collector and analyzer share only libraries)', () => {
    const wrong: string[] = [];
    for (const file of files) {
      const rule = ALLOWED.find(([prefix]) => file.startsWith(prefix));
      if (!rule || isTest(file)) continue;
      const own = '@kansa/' + file.split('/')[1];
      for (const spec of kansaImports(file)) {
        const ok = spec === own || spec.startsWith(own + '/') || rule[1].some((a) => spec === a || spec.startsWith(a + '/'));
        if (!ok) wrong.push(`${file}: ${spec}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('no application or library code imports the test kit or the tests', () => {
    const wrong = files
      .filter((f) => (f.startsWith('apps/') || f.startsWith('libs/')) && !isTest(f))
      .flatMap((f) =>
        kansaImports(f)
          .filter((s) => s.startsWith('@kansa/test-kit'))
          .map((s) => `${f}: ${s}`),
      );
    expect(wrong).toEqual([]);
  });
});

describe('architecture: dependency injection', () => {
  it('every optional constructor parameter names what it takes (@Optional() @Inject(X)): swc records a `T | null` type as Object', () => {
    // Found 2026-12-05: `@Optional() registry: SchedulerRegistry | null` was given nothing, and the monthly report was never scheduled.
    const wrong = files
      .filter((f) => (f.startsWith('apps/') || f.startsWith('libs/')) && !isTest(f))
      .flatMap((f) =>
        readFileSync(join(ROOT, f), 'utf8')
          .split('\n')
          .map((line, i) => ({ line, at: `${f}:${i + 1}` }))
          .filter(({ line }) => /@Optional\(\)/.test(line) && !/@Optional\(\)\s*@Inject\(/.test(line))
          .map(({ at, line }) => `${at}: ${line.trim()}`),
      );
    expect(wrong).toEqual([]);
  });
});
