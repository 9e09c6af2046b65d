import { openClickHouse, TABLES } from '@kansa/storage';
import * as iconv from 'iconv-lite';
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

const BIN = join(__dirname, '..', '..', '..', '..', 'bin', 'kansa.js');
const HEADER =
  '処理日時,職員ID,職員氏名,所属コード,所属名,端末ID,IPアドレス,画面ID,画面名,処理区分,宛名番号,個人番号表示,処理事由,対象件数,処理結果';
const line = (i: number) =>
  `2025/04/14 10:00:${String(i).padStart(2, '0')},K001198,職員,100700,納税課,WS-1,10.0.0.1,JR0101,照会,照会,${String(i).padStart(10, '0')},無,窓口,1,正常`;

const kansa = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });

jest.setTimeout(300_000);

describe('kill -9 between the events insert and the batch record', () => {
  const work = scratchDir('commit-kill');
  const dataDir = join(work, 'data');

  it('the next process completes the batch: verify passes, counts exact, a re-import stores only the rest', async () => {
    // header + 3 lines | 3 lines + a bad one | 3 lines : batches of 4 records; killed in the second
    const lines = [HEADER, line(1), line(2), line(3), line(4), line(5), line(6), 'bad line', line(7), line(8), line(9)];
    const file = join(work, 'JUMIN_OPLOG_20250414.csv');
    writeFileSync(file, iconv.encode(lines.join('\r\n') + '\r\n', 'cp932'));

    const killed = kansa(['import', file, '--data-dir', dataDir, '--json'], {
      KANSA_INGEST_BATCH_LINES: '4',
      KANSA_FAULT_KILL_AFTER_EVENTS_INSERT: '2',
    });
    expect({ signal: killed.signal, stdout: killed.stdout }).toEqual({ signal: 'SIGKILL', stdout: '' });
    const intents = () => readdirSync(join(dataDir, 'kansa-ingest-staging')).filter((n) => n.startsWith('commit-intent-'));
    expect(intents()).toHaveLength(1);

    // Read-only commands neither depend on nor touch the pending commit; info shows it.
    const info = kansa(['info', '--data-dir', dataDir, '--json']);
    expect({ status: info.status, pending: JSON.parse(info.stdout || '{}').counts?.pendingCommits }).toEqual({ status: 0, pending: 1 });
    for (const args of [
      ['findings', '--json'],
      ['coverage', '--from', '2025-04-14', '--to', '2025-04-14', '--json'],
    ]) {
      expect(kansa([...args, '--data-dir', dataDir]).status).toBe(0);
    }
    expect(intents()).toHaveLength(1);

    const verify = kansa(['verify', '--data-dir', dataDir, '--json']);
    expect({ status: verify.status, stderr: verify.stderr }).toEqual({ status: 0, stderr: '' });
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, batchesChecked: 2, unrecorded: [] });

    const client = await openClickHouse({ dataDir });
    try {
      const rs = await client.query({
        query: `SELECT seq, lines_read, stored, duplicates, quarantined,
                  (SELECT count() FROM ${TABLES.events} e WHERE e.batch_id = b.batch_id) AS events_rows,
                  (SELECT count() FROM ${TABLES.quarantine} q WHERE q.batch_id = b.batch_id) AS quarantine_rows
                FROM ${TABLES.importBatches} b ORDER BY seq`,
        format: 'JSONEachRow',
      });
      const batches = (await rs.json<Record<string, string>>()).map((b) =>
        Object.fromEntries(Object.entries(b).map(([k, v]) => [k, Number(v)])),
      );
      // the recovered second batch: its 3 events and its quarantined line, recorded with exact counts
      expect(batches).toEqual([
        { seq: 1, lines_read: 3, stored: 3, duplicates: 0, quarantined: 0, events_rows: 3, quarantine_rows: 0 },
        { seq: 2, lines_read: 4, stored: 3, duplicates: 0, quarantined: 1, events_rows: 3, quarantine_rows: 1 },
      ]);
      expect(readdirSync(join(dataDir, 'kansa-ingest-staging'))).toEqual([]);
    } finally {
      await client.close();
    }

    const again = kansa(['import', file, '--data-dir', dataDir, '--json']);
    expect({ status: again.status, stderr: again.stderr }).toEqual({ status: 0, stderr: '' });
    expect(JSON.parse(again.stdout).total).toEqual({ read: 10, stored: 3, duplicates: 6, quarantined: 1, apart: 0, setAside: 0 });
    const final = kansa(['verify', '--data-dir', dataDir, '--json']);
    expect(final.status).toBe(0);
    const check = await openClickHouse({ dataDir });
    try {
      const [r] = await (
        await check.query({ query: `SELECT count() AS n, uniqExact(event_id) AS ids FROM ${TABLES.events}`, format: 'JSONEachRow' })
      ).json<{ n: string; ids: string }>();
      expect({ rows: Number(r.n), ids: Number(r.ids) }).toEqual({ rows: 9, ids: 9 });
    } finally {
      await check.close();
    }
  });
});
