import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { INGEST_STAGING_PREFIX } from '@kansa/storage';
import { tableBytes, queryDataDir, report, runKansa, storedCounts, waitFor } from './fault-harness';
import { cp932, JUMIN_HEADER, juminLine } from './jumin-lines';

/**
 * kill -9 of `kansa import` in the middle of a big file, then the same import
 * again: exactly the file's events are stored, once. Size: FAULT_IMPORT_LINES
 * (default 400000 lines, about 50 MB of CP932).
 */
const LINES = Number(process.env.FAULT_IMPORT_LINES ?? 400_000);

jest.setTimeout(600_000);

describe('file import under kill -9', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'kansa-import-fault-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('a re-run after kill -9 mid-import stores every line exactly once', async () => {
    const file = join(work, 'JUMIN_OPLOG_20260901.csv');
    const out = createWriteStream(file);
    out.write(cp932(JUMIN_HEADER + '\r\n'));
    for (let i = 0; i < LINES; i++) {
      if (!out.write(cp932(juminLine(i) + '\r\n'))) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    const dataDir = join(work, 'data');

    // Killed in the middle: once the import has written its first chunk of
    // rows into its staging table (rows on disk, the batch not yet committed).
    const first = runKansa(['import', file, '--data-dir', dataDir, '--json']);
    let exitedEarly = false;
    void first.exited.then(() => (exitedEarly = true));
    await waitFor('rows staged', async () => exitedEarly || tableBytes(dataDir, INGEST_STAGING_PREFIX) > 100_000, 300_000);
    expect({ exitedEarly, output: exitedEarly ? first.output() : '' }).toEqual({ exitedEarly: false, output: '' });
    await first.kill();
    const afterKill = await storedCounts(dataDir, 'jumin');

    const second = runKansa(['import', file, '--data-dir', dataDir, '--json']);
    const code = await second.exited;
    expect({ code, output: code === 0 ? '' : second.output() }).toEqual({ code: 0, output: '' });
    const final = await storedCounts(dataDir, 'jumin');
    const leftovers = await queryDataDir<{ name: string }>(
      dataDir,
      'SELECT name FROM system.tables WHERE database = currentDatabase() AND startsWith(name, {prefix:String})',
      { prefix: INGEST_STAGING_PREFIX },
    );
    report('import-kill-9', {
      lines: LINES,
      storedBeforeKill: afterKill.rows,
      stagingTablesLeftOver: leftovers.length,
      rerun: JSON.parse(second.output()).files?.[0],
      ...final,
      lost: LINES - final.distinctEvents,
      duplicateRows: final.rows - final.distinctEvents,
    });
    expect(afterKill.rows).toBeLessThan(LINES); // the kill really was mid-import
    expect(final.rows).toBe(LINES);
    expect(final.distinctEvents).toBe(LINES);
    expect(final.distinctSubjects).toBe(LINES);
    expect(final.quarantined).toBe(0);
  });
});
