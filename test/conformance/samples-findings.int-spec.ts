import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '@kansa/config';
import { MastersRepository } from '@kansa/masters';
import { AnalysisService } from '@kansa/analyzer/detection/analysis.service';
import { FindingsService } from '@kansa/analyzer/findings/findings.service';
import type { FindingView } from '@kansa/analyzer/findings/findings.types';
import { FileImportService } from '@kansa/collector/sources/file-import/file-import.service';
import { KansaModule } from '../../apps/cli/src/kansa.module';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

/** The shared samples beside the project (../shared/samples from the repository root); skipped only when absent. */
const SAMPLES = resolve(__dirname, '..', '..', '..', 'shared', 'samples');

interface Expectation {
  rule: string;
  day: string;
  userId: string;
  subject: string;
  note: string;
}

interface ExpectedFindings {
  period: [string, string];
  valid_events: Record<string, number>;
  expected: Expectation[];
  decoys: Expectation[];
}

const describeSamples = existsSync(join(SAMPLES, 'expected-findings.json')) ? describe : describe.skip;

/** A finding matches an expectation on rule, user ID or subject, and day (any day when empty). */
function matches(f: FindingView, e: Expectation): boolean {
  if (f.rule !== e.rule) return false;
  if (e.day && f.day !== e.day) return false;
  if (e.userId && f.userId !== e.userId) return false;
  if (e.subject && f.subject !== e.subject) return false;
  return true;
}

describeSamples('conformance: ../shared/samples (import → masters → analyze)', () => {
  const spec = existsSync(join(SAMPLES, 'expected-findings.json'))
    ? (JSON.parse(readFileSync(join(SAMPLES, 'expected-findings.json'), 'utf8')) as ExpectedFindings)
    : ({ expected: [], decoys: [] } as unknown as ExpectedFindings);
  let dataDir: string;
  let app: INestApplicationContext;
  let findings: FindingView[];

  beforeAll(async () => {
    dataDir = scratchDir('conformance');
    const config = loadConfig({ env: {}, overrides: { storage: { dataDir, url: '' } } });
    app = await NestFactory.createApplicationContext(KansaModule.forRoot(config, { collector: true }), {
      logger: ['error'],
      abortOnError: false,
    });
    // Masters first, effective from before the period, as a site loads them before analysing.
    await app.get(MastersRepository).load(join(SAMPLES, 'masters'), { effectiveFrom: '2025-01-01' });
    const files = app.get(FileImportService);
    for (const file of files.expand([join(SAMPLES, 'logs')])) await files.importFile(file);
    const [from, to] = spec.period;
    await app.get(AnalysisService).analyze({ fromDay: from, toDay: to });
    findings = await app.get(FindingsService).list({ from, to });
  }, 600_000);

  afterAll(async () => {
    await app?.close();
  });

  const title = (e: Expectation) => `${e.rule} ${e.day || '(any day)'} ${e.userId || e.subject}: ${e.note}`;

  it.each(spec.expected.map((e) => [title(e), e] as const))('finds %s', (_name, e) => {
    const hit = findings.filter((f) => matches(f, e));
    expect(hit.map((f) => `${f.rule} ${f.day} ${f.userId || f.subject}`)).not.toHaveLength(0);
  });

  it.each(spec.decoys.map((e) => [`${e.rule} ${e.day || '(any day)'} ${e.userId || e.subject}: ${e.note}`, e] as const))(
    'does not flag the decoy %s',
    (_name, e) => {
      expect(findings.filter((f) => matches(f, e)).map((f) => `${f.rule} ${f.day} ${f.userId} ${f.summary}`)).toEqual([]);
    },
  );
});
