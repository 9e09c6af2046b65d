import { ClickHouseClient } from '@clickhouse/client';
import { applyRetention, migrate, MIGRATIONS_DIR, openClickHouse, TABLES } from '@kansa/storage';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventRow } from './event-row';

/**
 * An embedded data directory as an earlier kansa left it: migrated up to
 * `lastVersion` only (what upgrading from that version starts from), with
 * the default retention.
 */
export async function openDataDirAsOf(dataDir: string, lastVersion: number): Promise<ClickHouseClient> {
  // removed here, not by the test environment: the helper also runs in plain processes an e2e test starts
  const migrations = mkdtempSync(join(tmpdir(), 'kansa-migrations-'));
  try {
    for (const f of readdirSync(MIGRATIONS_DIR).filter((f) => Number(f.slice(0, 3)) <= lastVersion))
      copyFileSync(join(MIGRATIONS_DIR, f), join(migrations, f));
    mkdirSync(dataDir, { recursive: true });
    const client = await openClickHouse({ dataDir });
    await migrate(client, migrations);
    await applyRetention(client, 7); // as every start of kansa does (openStorage)
    // Parts under 10 MB are written as one file (a compact part, whose columns' sizes are not told): test months are
    // that small, so they are made to be written as a city's month is, a file per column.
    for (const table of [TABLES.events, TABLES.eventsApart])
      await client.command({ query: `ALTER TABLE ${table} MODIFY SETTING min_bytes_for_wide_part = 0` });
    return client;
  } finally {
    rmSync(migrations, { recursive: true, force: true });
  }
}

/** Event rows as a version before migration 240 inserted them (`raw` a stored column then; insertEventRows since). */
export async function insertEventsAsOf(client: ClickHouseClient, rows: ReturnType<typeof eventRow>[]): Promise<void> {
  await client.insert({ table: TABLES.events, values: rows, format: 'JSONEachRow' });
}

/** `n` 住民記録 events of a month (YYYY-MM), with random identities, as a test's stored month. */
export function monthOfEvents(month: string, n: number, tag: string): ReturnType<typeof eventRow>[] {
  return Array.from({ length: n }, (_, i) =>
    eventRow({
      event_id: randomHexId(),
      ts: `${month}-${String(1 + (i % 28)).padStart(2, '0')} ${String(8 + (i % 10)).padStart(2, '0')}:00:00.${String(i % 1000).padStart(3, '0')}`,
      source: 'jumin',
      user_id: `K${1000 + (i % 40)}`,
      subject_id: String(1_000_000_000 + ((i * 7919) % 1_000_000)),
      line_no: i + 1,
      batch_id: `${tag}-${month}`,
      raw: `${month} line ${i} ${tag}`,
    }),
  );
}

/** `n` Windows records of a month kept apart (a machine account's logons), as a test's stored month of events_apart. */
export function monthApart(month: string, n: number, tag: string): Record<string, unknown>[] {
  return Array.from({ length: n }, (_, i) => {
    const day = `${month}-${String(1 + (i % 28)).padStart(2, '0')}`;
    return {
      apart_id: randomHexId(),
      batch_id: `${tag}-${month}`,
      source: 'windows',
      instance: '',
      origin: `file:security-${month}.evtx`,
      line_no: i + 1,
      label: '非職員アカウント: PC-0042$',
      day,
      raw: `{"EventID":4624,"TargetUserName":"PC-0042$","n":${i},"tag":"${tag}"}`,
      received_at: `${day} 09:00:00.${String(i % 1000).padStart(3, '0')}`,
    };
  });
}

function randomHexId(): string {
  return [...Array(32)].map(() => '0123456789abcdef'[Math.floor(Math.random() * 16)]).join('');
}

/** Child-process entry: writes 3,000 events and 2,000 lines kept apart per month given, then closes. */
export async function writeDataDirAsOf(dataDir: string, lastVersion: number, months: string[]): Promise<void> {
  const client = await openDataDirAsOf(dataDir, lastVersion);
  for (const m of months) {
    await insertEventsAsOf(client, monthOfEvents(m, 3000, 'old'));
    await client.insert({ table: TABLES.eventsApart, values: monthApart(m, 2000, 'old'), format: 'JSONEachRow' });
  }
  await client.close();
}
