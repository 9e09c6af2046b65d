import { ClickHouseClient } from '@clickhouse/client';
import {
  checkLinesReadBack,
  EVENT_ROW_DIGEST_SQL,
  EventRow,
  insertEventRows,
  LINE_WITNESSES,
  lineDefinition,
  LineReadBackError,
  migrate,
  openStorage,
  TABLES,
} from '@kansa/storage';
import { eventRow, insertEventsAsOf, openDataDirAsOf, openTestStore, TestStore } from '@kansa/test-kit';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

/** One line of each source as the sample logs write it, with the columns kansa derives from it (the start-up check's witnesses). */
const LINES: EventRow[] = LINE_WITNESSES.map((w, i) => eventRow({ ...w.row, event_id: String(i + 1).repeat(32), raw: w.line }));

interface StoredLine {
  event_id: string;
  raw: string;
  raw_line: string;
  raw_residual: string;
  digest: string;
}

const stored = (client: ClickHouseClient): Promise<StoredLine[]> =>
  client
    .query({
      query: `SELECT event_id, raw, raw_line, raw_residual, lower(hex(${EVENT_ROW_DIGEST_SQL})) AS digest FROM ${TABLES.events} ORDER BY event_id`,
      format: 'JSONEachRow',
    })
    .then((rs) => rs.json<StoredLine>());

/**
 * Migration 240: a line is stored as what the row's columns do not already
 * say, and `raw` gives the line back. What an auditor reads as evidence and
 * what the integrity chain digests must be the line as received, byte for
 * byte, whatever the line holds.
 */
describe("the events' line stored as a residual (migrations 240, 241)", () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore();
  });
  afterAll(() => store.close());
  beforeEach(() => store.client.command({ query: `TRUNCATE TABLE ${TABLES.events}` }));

  it("gives back each source's line as received, storing it without the time, staff, terminal, address and resident it names", async () => {
    await insertEventRows(store.client, LINES);
    const rows = await stored(store.client);
    expect(rows.map((r) => r.raw)).toEqual(LINES.map((l) => l.raw));
    for (const [i, r] of rows.entries()) {
      const line = LINES[i];
      expect({ source: line.source, rawLine: r.raw_line }).toEqual({ source: line.source, rawLine: '' });
      for (const value of [line.user_id, line.terminal_id, line.subject_id, line.client_ip].filter(Boolean))
        expect({ source: line.source, residual: r.raw_residual.includes(value) }).toEqual({ source: line.source, residual: false });
      expect(r.raw_residual.length).toBeLessThan(line.raw.length - 20);
    }
    // the JST times of the text formats and the UTC time of a Windows record are taken out too
    expect(rows[0].raw_residual).not.toContain('2025/05/14 14:10:54');
    expect(rows[1].raw_residual).not.toContain('2025-05-14T09:34:47.534');
    expect(rows[4].raw_residual).not.toContain('2025-05-13T23:43:10.573');
  });

  it('stores each witness line as the residual the start-up check reads back', async () => {
    await insertEventRows(store.client, LINES);
    const rows = await stored(store.client);
    expect(rows.map((r) => ({ residual: r.raw_residual, line: r.raw }))).toEqual(
      LINE_WITNESSES.map((w) => ({ residual: w.residual, line: w.line })),
    );
  });

  it('keeps whole a line the residual cannot hold (one with a marker byte of its own), and an empty line empty', async () => {
    const odd = eventRow({ event_id: 'a'.repeat(32), ts: '2025-05-14 10:00:00.000', user_id: 'K1', raw: 'K1 \x01 \x0B K1 \x10' });
    const empty = eventRow({ event_id: 'b'.repeat(32), ts: '2025-05-14 10:00:00.000', user_id: 'K1', raw: '' });
    await insertEventRows(store.client, [odd, empty]);
    const [a, b] = await stored(store.client);
    expect(a).toMatchObject({ raw: odd.raw, raw_line: odd.raw });
    expect(b).toMatchObject({ raw: '', raw_line: '', raw_residual: '' });
  });

  it('gives back every line exactly whatever its values overlap (2,000 generated lines)', async () => {
    // values that occur inside one another, twice, or across the separators, and stray marker bytes
    const pick = <T>(xs: readonly T[], i: number): T => xs[i % xs.length];
    const parts = ['1', '10', '100', 'K1', 'K10', '1.1', '2025', '/', '-', ':', ' ', ',', '\x05', '\x0B', '山', '"', '\\'];
    let seed = 42;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const text = (n: number): string => Array.from({ length: n }, () => pick(parts, next())).join('');
    const rows = Array.from({ length: 2000 }, (_, i) => {
      const values = { user_id: text(2), user_name: text(1), department_code: text(1), terminal_id: text(2), client_ip: text(2) };
      const fields = [...Object.values(values), '2025/05/14 10:00:00', '2025-05-14 10:00:00', text(3), text(2)];
      const raw = Array.from({ length: 1 + (next() % 8) }, () => pick(fields, next())).join(pick([',', '', ' '], i));
      return eventRow({
        event_id: String(i).padStart(32, '0'),
        ts: '2025-05-14 10:00:00.000',
        subject_id: text(2),
        reason: text(1),
        ...values,
        raw,
      });
    });
    await insertEventRows(store.client, rows);
    const back = await stored(store.client);
    expect(back.filter((r, i) => r.raw !== rows[i].raw)).toEqual([]);
    // most are held as residuals (the rest, with a stray marker, whole)
    expect(back.filter((r) => r.raw_line === '' && r.raw !== '').length).toBeGreaterThan(1000);
  });
});

describe('upgrading a data directory to the residual line (migrations 240, 241)', () => {
  const root = scratchDir('event-line');

  it('keeps the lines stored before, their digests unchanged, beside new lines stored as residuals, merged or not', async () => {
    const client = await openDataDirAsOf(join(root, 'data'), 230);
    try {
      const [old, ...later] = LINES;
      await insertEventsAsOf(client, [old]); // `raw` was a stored column
      const [before] = await stored(client).catch(() => []);
      expect(before).toBeUndefined(); // raw_line and raw_residual do not exist yet
      const [{ digest }] = await client
        .query({ query: `SELECT lower(hex(${EVENT_ROW_DIGEST_SQL})) AS digest FROM ${TABLES.events}`, format: 'JSONEachRow' })
        .then((rs) => rs.json<{ digest: string }>());

      expect(await migrate(client)).toEqual(expect.arrayContaining(['240_events_raw_residual', '241_events_raw_alias']));
      const upgraded = await stored(client);
      expect(upgraded).toEqual([{ event_id: old.event_id, raw: old.raw, raw_line: old.raw, raw_residual: '', digest }]);

      await insertEventRows(client, later);
      await client.command({ query: `OPTIMIZE TABLE ${TABLES.events} FINAL` });
      const merged = await stored(client);
      expect(merged.map((r) => r.raw)).toEqual(LINES.map((l) => l.raw));
      expect(merged[0]).toEqual(upgraded[0]);
      expect(merged.slice(1).every((r) => r.raw_line === '' && r.raw_residual !== '')).toBe(true);
    } finally {
      await client.close();
    }
  });
});

describe('an engine that reads stored lines back differently (a chDB upgrade, a server of another version)', () => {
  it('is refused at start, naming the line that came back altered; the data directory is left as it was', async () => {
    const store = await openTestStore();
    try {
      await checkLinesReadBack(store.client); // this engine reads every witness back
      // An engine whose formatting of the 住民記録 time differs: what the definition of `raw` computes changes with it.
      const rebuilt = (await lineDefinition(store.client))?.rebuilt ?? '';
      const altered = rebuilt.replace("'%Y/%m/%d %H:%i:%S'", "'%d/%m/%Y %H:%i:%S'");
      expect(altered).not.toEqual(rebuilt);
      await store.client.command({ query: `ALTER TABLE ${TABLES.events} MODIFY COLUMN raw_rebuilt String ALIAS ${altered}` });
      await store.client.close();

      const opening = openStorage(store.config);
      await expect(opening).rejects.toBeInstanceOf(LineReadBackError);
      await expect(opening).rejects.toThrow(
        /the jumin line "2025\/05\/14 14:10:54,K021081.*" comes back as "14\/05\/2025 14:10:54,K021081/,
      );
      await expect(opening).rejects.toThrow(/保存したログ行が元どおりに読み戻せないため、データを開きません/);
      // refused before anything was written: a second start is refused the same way, not locked out
      await expect(openStorage(store.config)).rejects.toBeInstanceOf(LineReadBackError);
    } finally {
      rmSync(store.dataDir, { recursive: true, force: true });
    }
  });
});
