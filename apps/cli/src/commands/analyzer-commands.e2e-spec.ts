import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@kansa/config';
import { openStorage, TABLES } from '@kansa/storage';
import { kansaCli } from '@kansa/test-kit/kansa-cli';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

/**
 * The analyzer's commands as staff run them: `kansa demo` on a small city,
 * then findings (list, show, transition), events and coverage.
 */
describe('kansa demo, analyze, findings, events, coverage (whole CLI)', () => {
  const work = scratchDir('cli-analyzer');
  const dataDir = join(work, 'data');
  const kansa = kansaCli(dataDir);

  // Every test reads the demo month: it is made once, before any of them, so they hold in any order.
  let demo: Awaited<ReturnType<typeof kansa>>;
  beforeAll(async () => {
    demo = await kansa('demo', '--month', '2025-04', '--staff', '60', '--out', join(work, 'demo'));
  }, 600_000);

  it('runs the demo month and finds the planted incidents of every rule', async () => {
    expect(demo.stderr).not.toMatch(/Error|kansa:/);
    expect(demo.code).toBe(0);
    expect(demo.stdout).toContain('デモ 2025-04');
    expect(demo.stdout).not.toContain('未検出あり');
  }, 600_000);

  it('shows casework on the demo month: an exception in force, a repeat case, a tamper alert to the 監査担当', async () => {
    expect(demo.stdout).toMatch(/例外承認 EX-\d{8}-[0-9A-F]{4}（市民税課 決裁第202504-018号）: .* — 検知 1 件を「例外適用」として記録/);
    expect(demo.stdout).toMatch(/継続監視対象 K\d{6}: 2025-04 に2種類のルールで検知.* — 事案 CASE-/);
    expect(demo.stdout).toContain('[kansa 監査] マスタの変更（監視対象）: watchlist');
    expect(demo.stdout).toContain('見守り対象（DV等支援措置）の削除 1 件');
    // The planned print run is still a finding, never hidden: stored as 例外適用 with the reference.
    const excepted = JSON.parse((await kansa('findings', '--status', 'excepted', '--json')).stdout) as Array<{
      rule: string;
      exception: { reference: string };
    }>;
    expect(excepted.map((f) => [f.rule, f.exception.reference])).toEqual([['mass-output', '市民税課 決裁第202504-018号']]);
    const audit = await kansa('audit', 'log', '--kind', 'masters', '--kind', 'exception');
    expect(audit.stdout.split('\n').filter(Boolean)).toHaveLength(2);
    const cases = JSON.parse((await kansa('cases', 'list', '--json')).stdout) as Array<{ state: string; findingIds: string[] }>;
    expect(cases).toEqual([expect.objectContaining({ state: 'open' })]);
    expect(cases[0].findingIds.length).toBeGreaterThanOrEqual(2);
  }, 120_000);
  it('keeps the data directory and what is written in it for the owner only', () => {
    expect((statSync(dataDir).mode & 0o777).toString(8)).toBe('700');
    const files = readdirSync(dataDir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    expect(files.length).toBeGreaterThan(10);
    const open = files.filter((f) => (statSync(join(f.parentPath, f.name)).mode & 0o077) !== 0).map((f) => f.name);
    expect(open).toEqual([]);
  });

  it('lists findings as JSON with the promised fields, filters them, and records triage', async () => {
    const all = JSON.parse((await kansa('findings', '--from', '2025-04-01', '--to', '2025-04-30', '--json')).stdout) as Array<
      Record<string, unknown>
    >;
    expect(all.length).toBeGreaterThan(0);
    for (const key of ['id', 'rule', 'severity', 'day', 'userId', 'subject', 'count', 'status']) expect(all[0]).toHaveProperty(key);
    const offHours = JSON.parse((await kansa('findings', '--rule', 'off-hours', '--json')).stdout) as Array<{ rule: string; id: string }>;
    expect(offHours.every((f) => f.rule === 'off-hours')).toBe(true);
    // a mistyped rule is named, not answered with an empty list
    const mistyped = await kansa('findings', '--rule', 'off-hour');
    expect({ code: mistyped.code, stderr: mistyped.stderr }).toEqual({
      code: 2,
      stderr: expect.stringContaining('--rule: unknown rule off-hour; known rules: off-hours'),
    });

    // a finding about a whole system (no staff member) names the system as staff know it, with its ID
    const gaps = await kansa('findings', '--rule', 'log-gap');
    expect(gaps.stdout).toMatch(/ log-gap {2}\[[^\]]+\] {2}\S+ \((jumin|atena|chukan|terminal|windows)\) {2}/);

    // The demo's sample reviewers left some findings unreviewed: take one of those.
    const untouched = all.find((f) => f.status === 'new')!;
    expect(all.some((f) => f.status !== 'new')).toBe(true);
    const id = String(untouched.id);
    const before = JSON.parse((await kansa('findings', '--status', 'reviewing', '--json')).stdout) as Array<{ id: string }>;
    const refused = await kansa('findings', 'transition', id, 'closed', '--by', 'tanaka', '--comment', 'x');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/cannot change new → closed/);
    expect((await kansa('findings', 'transition', id, 'reviewing', '--by', 'tanaka', '--comment', '確認開始')).code).toBe(0);
    const reviewing = JSON.parse((await kansa('findings', '--status', 'reviewing', '--json')).stdout) as Array<{
      id: string;
      status: string;
    }>;
    expect(reviewing.map((f) => f.id).sort()).toEqual([...before.map((f) => f.id), id].sort());
    const shown = JSON.parse((await kansa('findings', 'show', id, '--json')).stdout) as { history: Array<{ by: string; to: string }> };
    expect(shown.history).toEqual([expect.objectContaining({ by: 'tanaka', to: 'reviewing' })]);
  }, 120_000);

  it('answers who touched a resident and what a user did', async () => {
    const all = JSON.parse((await kansa('findings', '--rule', 'self-lookup', '--json')).stdout) as Array<{
      userId: string;
      evidenceIds: string[];
    }>;
    expect(all.length).toBeGreaterThan(0);
    const user = await kansa(
      'events',
      '--user',
      all[0].userId,
      '--from',
      '2025-04-01',
      '--to',
      '2025-04-30',
      '--purpose',
      '調査',
      '--json',
    );
    const byUser = JSON.parse(user.stdout) as { total: number; events: Array<{ eventId: string; subjectId: string }> };
    expect(byUser.total).toBeGreaterThan(0);
    const touched = byUser.events.find((e) => all[0].evidenceIds.includes(e.eventId) && e.subjectId);
    expect(touched).toBeDefined();
    const bySubject = JSON.parse(
      (await kansa('events', '--subject', touched!.subjectId, '--purpose', '開示請求 第1号', '--json')).stdout,
    ) as {
      events: Array<{ userId: string }>;
    };
    expect(bySubject.events.map((e) => e.userId)).toContain(all[0].userId);
    expect((await kansa('events', '--subject', '12', '--purpose', '調査')).code).toBe(2);
  }, 120_000);

  it('refuses a look-up of personal data without a purpose, and records the look-ups with purpose, reference and who', async () => {
    const none = await kansa('events', '--user', 'K000001');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--purpose');
    const ok = await kansa('events', '--subject', '0000012345', '--purpose', '開示請求', '--reference', '令和7年 第12号', '--json');
    expect(ok.code).toBe(0);
    const client = await openStorage(loadConfig({ env: {}, overrides: { storage: { dataDir, url: '' } } }));
    try {
      const rows = await (
        await client.query({
          query: `SELECT client, actor_kind, purpose, reference, query FROM ${TABLES.apiAccessLog} WHERE route = 'kansa events' ORDER BY at`,
          format: 'JSONEachRow',
        })
      ).json<{ client: string; actor_kind: string; purpose: string; reference: string; query: string }>();
      // every look-up has its purpose (the refused one was no look-up); this one with its reference and who
      expect(rows.every((r) => r.purpose.length >= 2)).toBe(true);
      const mine = rows.filter((r) => r.reference === '令和7年 第12号');
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ actor_kind: 'cli', purpose: '開示請求' });
      expect(mine[0].client).toMatch(/^cli:./);
      expect(JSON.parse(mine[0].query)).toMatchObject({ subject: '0000012345' });
    } finally {
      await client.close();
    }
  }, 120_000);

  it('adds a person with a one-time password shown once, and refuses a reviewer without a department', async () => {
    const added = await kansa('user', 'add', '--name', '山田', '--role', 'officer', '--json');
    expect(added.code).toBe(0);
    const made = JSON.parse(added.stdout) as { user: { name: string; role: string; mustChangePassword: boolean }; oneTimePassword: string };
    expect(made.user).toMatchObject({ name: '山田', role: 'officer', mustChangePassword: true });
    expect(made.oneTimePassword).toMatch(/^[A-Za-z2-9]{4}(-[A-Za-z2-9]{4}){3}$/);
    expect(added.stdout).not.toContain('argon2');
    const again = await kansa('user', 'add', '--name', '山田', '--role', 'viewer');
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('既にあります');
    const reviewer = await kansa('user', 'add', '--name', '佐藤', '--role', 'reviewer');
    expect(reviewer.code).toBe(2);
    expect(reviewer.stderr).toContain('所属コード');
    const list = JSON.parse((await kansa('user', 'list', '--json')).stdout) as Array<{ name: string }>;
    expect(list.map((u) => u.name)).toContain('山田');
    expect(list.map((u) => u.name)).not.toContain('佐藤');
  }, 120_000);

  it('shows coverage: the demo month analysed, and the days after it not', async () => {
    const cells = JSON.parse((await kansa('coverage', '--from', '2025-04-29', '--to', '2025-05-01', '--json')).stdout) as Array<{
      day: string;
      state: string;
    }>;
    expect(new Set(cells.filter((c) => c.day <= '2025-04-30').map((c) => c.state))).toEqual(new Set(['analysed']));
    expect(new Set(cells.filter((c) => c.day === '2025-05-01').map((c) => c.state))).toEqual(new Set(['never']));
  }, 60_000);
});
