import { createWriteStream, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { queryDataDir, report, runKansa, storedCounts, waitFor } from './fault-harness';
import { cp932, JUMIN_HEADER, juminLine } from '../kit/jumin-lines';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

/**
 * kill -9 of `kansa import` in the middle of a big file, then the same import
 * again: exactly the file's events are stored, once. Size: FAULT_IMPORT_LINES
 * (default 400000 lines, about 50 MB of CP932), committed in batches of
 * FAULT_IMPORT_BATCH_LINES (default 100000).
 */
const LINES = Number(process.env.FAULT_IMPORT_LINES ?? 400_000);
const BATCH_LINES = Number(process.env.FAULT_IMPORT_BATCH_LINES ?? 100_000);

/** The embedded staging folder of a data directory: files of the batch being staged, by name and size. */
function stagedFiles(dataDir: string): Map<string, number> {
  const dir = join(dataDir, 'kansa-ingest-staging');
  const out = new Map<string, number>();
  try {
    for (const name of readdirSync(dir)) {
      try {
        out.set(name, statSync(join(dir, name)).size);
      } catch {
        // removed meanwhile (its batch was committed)
      }
    }
  } catch {
    // not created yet
  }
  return out;
}

/** A staged file of a batch: ingest_staging_[kind_]<batch id>.tsv */
const STAGED_BATCH_FILE = /^ingest_staging_(?:[a-z]_)?([0-9a-f]{32})\.tsv$/;

jest.setTimeout(600_000);

describe('file import under kill -9', () => {
  let work: string;
  beforeAll(() => {
    work = scratchDir('import-fault');
  });

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

    // Killed in the middle: once at least one batch is committed and a later
    // one is being staged. A batch commits while the next is parsed, and the
    // third batch opens only after the first one's commit has finished, so
    // the third staging file seen means the first batch is committed.
    const first = withEnv({ KANSA_INGEST_BATCH_LINES: String(BATCH_LINES) }, () =>
      runKansa(['import', file, '--data-dir', dataDir, '--json']),
    );
    let exitedEarly = false;
    void first.exited.then(() => (exitedEarly = true));
    const seen = new Set<string>();
    await waitFor(
      'a batch committed and the next one staging',
      async () => {
        // A batch stages several files (events, plain lines, quarantine): count batches by ID.
        const staged = [...stagedFiles(dataDir)].filter(([name]) => STAGED_BATCH_FILE.test(name));
        for (const [name] of staged) seen.add((STAGED_BATCH_FILE.exec(name) as RegExpExecArray)[1]);
        return exitedEarly || (seen.size >= 3 && staged.some(([, size]) => size > 100_000));
      },
      300_000,
    );
    expect({ exitedEarly, output: exitedEarly ? first.output() : '' }).toEqual({ exitedEarly: false, output: '' });
    await first.kill();
    const afterKill = await storedCounts(dataDir, 'jumin');

    const second = runKansa(['import', file, '--data-dir', dataDir, '--json']);
    const code = await second.exited;
    expect({ code, output: code === 0 ? '' : second.output() }).toEqual({ code: 0, output: '' });
    const final = await storedCounts(dataDir, 'jumin');
    const leftovers = [...stagedFiles(dataDir).keys()];
    const leftoverTables = await queryDataDir(
      dataDir,
      "SELECT name FROM system.tables WHERE database = currentDatabase() AND startsWith(name, 'ingest_staging')",
    );
    const verify = runKansa(['verify', '--data-dir', dataDir, '--json']);
    const verifyCode = await verify.exited;
    report('import-kill-9', {
      lines: LINES,
      storedBeforeKill: afterKill.rows,
      stagingFilesLeftOver: leftovers.length,
      verifyExitCode: verifyCode,
      rerun: JSON.parse(second.stdout()).files?.[0],
      ...final,
      lost: LINES - final.distinctEvents,
      duplicateRows: final.rows - final.distinctEvents,
    });
    expect(afterKill.rows).toBeLessThan(LINES); // the kill really was mid-import
    expect(afterKill.rows).toBeGreaterThanOrEqual(BATCH_LINES - 1); // … after a batch was committed (the header was its first record)
    // The re-run stores the rest; what the killed run committed (and, if it was
    // killed inside a commit, what the re-run's start completed) is duplicates.
    const rerun = JSON.parse(second.stdout()).total;
    expect(rerun).toEqual({
      read: LINES,
      stored: LINES - (final.batches.stored - rerun.stored),
      duplicates: final.batches.stored - rerun.stored,
      quarantined: 0,
      apart: 0,
      setAside: 0,
    });
    expect(rerun.duplicates).toBeGreaterThanOrEqual(afterKill.rows);
    expect(final.rows).toBe(LINES);
    expect(final.distinctEvents).toBe(LINES);
    expect(final.distinctSubjects).toBe(LINES);
    expect(final.quarantined).toBe(0);
    expect(final.batches).toEqual({ read: LINES + rerun.duplicates, stored: LINES, duplicates: rerun.duplicates, quarantined: 0 });
    expect(leftovers).toEqual([]);
    expect(leftoverTables).toEqual([]);
    expect({ verifyCode, output: verifyCode === 0 ? '' : verify.output() }).toEqual({ verifyCode: 0, output: '' });
  });
});

/** Runs `fn` with extra environment variables (a child process started in it inherits them). */
function withEnv<T>(vars: Record<string, string>, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
