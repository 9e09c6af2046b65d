import { ClickHouseClient } from '@clickhouse/client';
import { migrate, MIGRATIONS_DIR, openClickHouse, TABLES } from '@kansa/storage';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AccessAuditRepository } from './access-audit.repository';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

/**
 * A data directory of a kansa before the console (migrations up to 09x, reads
 * recorded by API tokens in api_access_log) is upgraded by migrations 100–102:
 * its audit rows stay as they were and read as reads by tokens; new kinds of
 * records join them.
 */
describe('the audit log on an upgraded data directory', () => {
  const dir = scratchDir('audit-upgrade');
  let client: ClickHouseClient;
  const old = {
    access_id: 'old-1',
    at: '2025-05-01 09:00:00.000',
    client: 'staff-read',
    role: 'read',
    method: 'GET',
    route: '/api/events',
    path: '/api/events',
    query: '{"subject":"0000012345"}',
    purpose: '開示請求 第3号',
    remote_addr: '10.0.0.8',
  };

  beforeAll(async () => {
    const before = join(dir, 'migrations-before-100');
    mkdirSync(before);
    for (const f of readdirSync(MIGRATIONS_DIR).filter((f) => /^0\d\d_.*\.sql$/.test(f)))
      copyFileSync(join(MIGRATIONS_DIR, f), join(before, f));
    client = await openClickHouse({ dataDir: join(dir, 'data') });
    await migrate(client, before);
    await client.insert({ table: TABLES.apiAccessLog, format: 'JSONEachRow', values: [old] });
    expect((await migrate(client)).slice(0, 3)).toEqual(['100_console_accounts', '101_audit_log', '102_finding_assignments']);
  });
  afterAll(async () => {
    await client?.close();
  });

  it('keeps every old row as it was, read as a read by a token, and adds new records beside it', async () => {
    const audit = new AccessAuditRepository(client);
    await audit.record({ kind: 'login', actor: { kind: 'person', name: '山田', role: 'officer' }, remoteAddr: '10.0.0.9' });
    const { total, rows } = await audit.list({});
    expect(total).toBe(2);
    const kept = rows.find((r) => r.access_id === 'old-1')!;
    expect(kept).toMatchObject({ ...old, kind: 'read', actor_kind: 'token', outcome: 'ok', detail: '', reference: '' });
    expect(rows.find((r) => r.access_id !== 'old-1')).toMatchObject({ kind: 'login', actor_kind: 'person', client: '山田' });
    // Applying the migrations again changes nothing.
    expect(await migrate(client)).toEqual([]);
    expect((await audit.list({})).total).toBe(2);
  });
});
