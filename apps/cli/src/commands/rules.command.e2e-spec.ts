import { openClickHouse } from '@kansa/storage';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

const BIN = join(__dirname, '..', '..', '..', '..', 'bin', 'kansa.js');

describe('kansa rules (the command, in its own process)', () => {
  const dir = scratchDir('rules-cli');
  const dataDir = join(dir, 'data');
  const kansa = (...args: string[]) =>
    spawnSync(process.execPath, [BIN, '--data-dir', dataDir, ...args], { encoding: 'utf8', timeout: 120000 });

  it('lists every rule with its version and parameters in force', () => {
    const list = kansa('--json', 'rules', 'list');
    expect(list.status).toBe(0);
    const rules = JSON.parse(list.stdout) as Array<{ id: string; version: number; params: Record<string, unknown> }>;
    expect(rules).toHaveLength(16); // spec/rules.md, audit-log-cleared and unexplained-access included
    expect(rules.find((r) => r.id === 'mass-lookup')).toMatchObject({ params: { threshold: 300 } });
  });

  it("shows a rule's SQL with its parameters written in, which a ClickHouse client runs as it is", async () => {
    const shown = kansa('--json', 'rules', 'show', 'off-hours', '--from', '2025-04-14', '--to', '2025-04-15');
    expect({ status: shown.status, stderr: shown.stderr }).toEqual({ status: 0, stderr: '' });
    const out = JSON.parse(shown.stdout) as { id: string; reads: unknown; sql: Array<{ fromDay: string; toDay: string; sql: string }> };
    expect(out).toMatchObject({ id: 'off-hours', sql: [{ fromDay: '2025-04-14', toDay: '2025-04-15' }] });
    expect(out.sql[0].sql).toContain("CAST('2025-04-14' AS Date)");
    expect(out.sql[0].sql).not.toMatch(/\{[a-z]+:[A-Z]/);
    const human = kansa('rules', 'show', 'off-hours', '--from', '2025-04-14');
    expect(human.stdout).toContain('時間外アクセス');
    expect(human.stdout).toContain('判定の内容: 勤務時間（08:30〜17:15、前後30分の猶予を含む）の外、または閉庁日に');
    // Pasted into the engine on the same data directory: it runs.
    const client = await openClickHouse({ dataDir });
    try {
      await expect((await client.query({ query: out.sql[0].sql, format: 'JSONEachRow' })).json()).resolves.toEqual([]);
    } finally {
      await client.close();
    }
  });

  it('names an unknown rule and a wrong date', () => {
    const unknown = kansa('rules', 'show', 'no-such-rule');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('known rules: off-hours');
    const bad = kansa('rules', 'show', 'off-hours', '--from', '2026-13-45');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--from');
  });
});
