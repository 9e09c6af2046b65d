import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@kansa/config';
import { KansaModule } from '../../../../cli/src/kansa.module';
import { applyDemoCity, runDemo } from '../../../../cli/src/commands/demo-run';
import { CASEWORK_ID_SUFFIX, countingIdSuffix } from '../../casework/casework-ids';
import { CLOCK, fixedClock } from '../../core/clock';
import type { MadeReport } from '../reports.service';
import { readPdf } from '../testing/pdf-text';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

/**
 * The golden rendering: a fixed generated month (the demo city, seed
 * "golden", 40 staff, April 2025 and its three months of history) imported,
 * analysed, triaged and reported with the clock fixed, then the PDF's text
 * and the CSV compared with the committed expected rendering. Any change to
 * what the report says is a diff to review; when it is intended:
 *   UPDATE_GOLDEN=1 npx jest apps/analyzer/src/reports/golden
 * and commit golden/expected/.
 * Only what depends on the wall clock of the import (chain hashes and the
 * digest made from them, import and verification times) and the random part
 * of case and exception IDs (CASE-20250508-1A2B) is masked.
 */
const EXPECTED = join(__dirname, 'expected');
const NOW = '2025-05-08T09:00:00+09:00';

/** Masks what the wall clock of the run decides: SHA-256 values (the chain includes import times) and times after NOW; and random ID parts. */
export function normalise(text: string): string {
  return text
    .replace(/\b(CASE|EX)-(\d{8})-[0-9A-F]{4}\b/g, '$1-$2-<ID>')
    .replace(/[0-9a-f]{8}(?:\s?[0-9a-f]{8}){7}/g, '<SHA-256>')
    .replace(/(20\d\d-\d\d-\d\d) ?(\d\d:\d\d)/g, (m: string, day: string) => (day > NOW.slice(0, 10) ? '<実行時の時刻>' : m))
    .replace(/[ \t]+$/gm, '');
}

describe('golden rendering of the demo city’s April 2025 (PDF text and CSV)', () => {
  let app: INestApplicationContext;
  let work: string;
  let made: MadeReport;

  beforeAll(async () => {
    work = scratchDir('golden');
    const config = loadConfig({ env: {}, overrides: { storage: { dataDir: join(work, 'data'), url: '' } } });
    applyDemoCity(config);
    const moduleRef = await Test.createTestingModule({ imports: [KansaModule.forRoot(config, { collector: true })] })
      .overrideProvider(CLOCK)
      .useValue(fixedClock(NOW))
      // case and exception numbers the same at every run: the report's column widths follow what the cells hold
      .overrideProvider(CASEWORK_ID_SUFFIX)
      .useValue(countingIdSuffix())
      .compile();
    moduleRef.useLogger(['error']);
    app = await moduleRef.init();
    ({ report: made } = await runDemo(app, { outDir: join(work, 'demo'), month: '2025-04', staff: 40, seed: 'golden' }));
  }, 600_000);

  afterAll(async () => {
    await app?.close();
  });

  const compare = (name: string, actual: string) => {
    const path = join(EXPECTED, name);
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(path)) {
      mkdirSync(EXPECTED, { recursive: true });
      writeFileSync(path, actual);
    }
    expect(actual).toEqual(readFileSync(path, 'utf8'));
  };

  it('the PDF says what the committed rendering says, page by page', () => {
    const pdf = readPdf(made.files.find((f) => f.format === 'pdf')!.path);
    compare('kansa-report-2025-04.pdf.txt', normalise(pdf.pages.map((p, i) => `==== ${i + 1} ====\n${p}\n`).join('')));
  });

  it('the CSV holds the committed rows', () => {
    const csv = readFileSync(made.files.find((f) => f.format === 'csv')!.path, 'utf8');
    compare('kansa-report-2025-04.csv', normalise(csv));
  });

  it('masks only what the run’s wall clock decides and the random part of IDs', () => {
    expect(normalise('2025-04-30 23:51 2026-12-01 10:00 3f2a9c1b 77e0d1aa 9b2c4d5e 1f2a3b4c 5d6e7f80 91a2b3c4 d5e6f708 192a3b4c')).toBe(
      '2025-04-30 23:51 <実行時の時刻> <SHA-256>',
    );
    expect(normalise('CASE-20250508-B420 EX-20250401-0F3C K001004')).toBe('CASE-20250508-<ID> EX-20250401-<ID> K001004');
  });
});
