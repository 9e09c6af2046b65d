import { FileImportService } from '@kansa/collector/sources/file-import/file-import.service';
import { CollectorKit, startCollector } from '@kansa/collector/testing/collector-test-kit';
import { openTestStore, TestStore } from '@kansa/test-kit';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The shared sample logs, when the folder is beside the project (skipped only when it is absent). */
const SAMPLES = join(__dirname, '..', '..', '..', 'shared', 'samples');
const present = existsSync(join(SAMPLES, 'logs'));

(present ? describe : describe.skip)('conformance: the shared sample logs', () => {
  let store: TestStore;
  let files: FileImportService;
  let collector: CollectorKit;
  const expected = present ? JSON.parse(readFileSync(join(SAMPLES, 'expected-findings.json'), 'utf8')) : {};

  beforeAll(async () => {
    store = await openTestStore();
    collector = await startCollector(store);
    files = collector.files;
  });
  afterAll(async () => {
    await collector.close();
    await store.close();
  });

  it('imports every sample file with the expected valid events per source and no bad lines', async () => {
    const stored: Record<string, number> = {};
    let quarantined = 0;
    for (const file of files.expand([join(SAMPLES, 'logs')])) {
      const r = await files.importFile(file);
      expect(r.read).toBe(r.stored + r.duplicates + r.quarantined);
      stored[r.source] = (stored[r.source] ?? 0) + r.stored;
      quarantined += r.quarantined;
    }
    expect(stored).toEqual(expected.valid_events);
    expect(quarantined).toBe(expected.bad_lines);
    const counts = await store.rows<{ source: string; n: string }>('SELECT source, count() AS n FROM events GROUP BY source');
    expect(Object.fromEntries(counts.map((c) => [c.source, Number(c.n)]))).toEqual(expected.valid_events);
  });

  it('re-importing all sample files changes nothing, and the chain holds', async () => {
    const before = await store.rows(
      'SELECT source, count() AS n, groupBitXor(cityHash64(event_id)) AS x FROM events GROUP BY source ORDER BY source',
    );
    let stored = 0;
    for (const file of files.expand([join(SAMPLES, 'logs')])) stored += (await files.importFile(file)).stored;
    expect(stored).toBe(0);
    expect(
      await store.rows('SELECT source, count() AS n, groupBitXor(cityHash64(event_id)) AS x FROM events GROUP BY source ORDER BY source'),
    ).toEqual(before);
    expect((await collector.verify.verify()).ok).toBe(true);
  });
});
