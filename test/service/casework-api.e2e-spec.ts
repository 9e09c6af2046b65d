import { AccountsService } from '@kansa/service-shell';
import { TABLES } from '@kansa/storage';
import { ConsoleUser } from '../console/console-user';
import { findingRow } from './fixtures';
import { startTestService, TestService } from './service-harness';

const FINDING = 'f'.repeat(32);

/** Exceptions, cases and their refusals over HTTP: what the console and other systems use (docs/casework.md). */
describe('kansa serve: the casework API', () => {
  let svc: TestService;
  const send = (method: string, path: string, json?: unknown, token = svc.tokens.triage) => svc.request(path, { method, token, json });

  beforeAll(async () => {
    svc = await startTestService();
    await svc.client.insert({
      table: TABLES.findings,
      format: 'JSONEachRow',
      values: [findingRow(FINDING, 'mass-output', 'high', 'K001123')],
    });
  });
  afterAll(async () => {
    await svc?.close();
  });

  const juneTax = {
    rule: 'mass-output',
    userIds: ['K001123'],
    validFrom: '2025-04-01',
    validTo: '2025-04-30',
    reason: '住民税当初課税の通知書一括印刷',
    reference: '課税第123号',
    requestedBy: '課税課 山本',
    approvedBy: '情報政策課長 佐藤',
  };

  it('approves an exception: the stored finding it covers becomes 例外適用 with the reference; edits are versions; revoking needs a reason', async () => {
    const sameApprover = await send('POST', '/api/exceptions', { ...juneTax, approvedBy: juneTax.requestedBy });
    expect(sameApprover.status).toBe(400);
    expect(await sameApprover.text()).toContain('approvedBy');
    expect((await send('POST', '/api/exceptions', juneTax, svc.tokens.read)).status).toBe(403);

    const added = await send('POST', '/api/exceptions', juneTax);
    expect(added.status).toBe(201);
    const { exception, findingsCovered } = (await added.json()) as {
      exception: { id: string; changedBy: string };
      findingsCovered: number;
    };
    expect({ findingsCovered, changedBy: exception.changedBy }).toEqual({ findingsCovered: 1, changedBy: 'staff-triage' });
    const finding = (await (await svc.request(`/api/findings/${FINDING}`, { token: svc.tokens.read })).json()) as Record<string, unknown>;
    expect(finding).toMatchObject({ status: 'excepted', exception: { id: exception.id, reference: '課税第123号' } });

    const edited = await send('PUT', `/api/exceptions/${exception.id}`, { ...juneTax, validTo: '2025-04-20' });
    expect(edited.status).toBe(200);
    const versions = (await (await send('GET', `/api/exceptions/${exception.id}`, undefined, svc.tokens.read)).json()) as Array<{
      version: number;
    }>;
    expect(versions.map((v) => v.version)).toEqual([1, 2]);

    expect((await send('POST', `/api/exceptions/${exception.id}/revoke`, {})).status).toBe(400);
    expect((await send('POST', `/api/exceptions/${exception.id}/revoke`, { reason: '計画が中止' })).status).toBe(200);
    // Revoked: the finding is reported again; a revoked exception cannot be edited (409), an unknown one is 404.
    expect(((await (await svc.request(`/api/findings/${FINDING}`, { token: svc.tokens.read })).json()) as { status: string }).status).toBe(
      'new',
    );
    expect((await send('PUT', `/api/exceptions/${exception.id}`, juneTax)).status).toBe(409);
    expect((await send('GET', '/api/exceptions/EX-20250101-0000', undefined, svc.tokens.read)).status).toBe(404);
  });

  it('follows a case: opened with a finding, noted, closed only with an outcome; a mistyped month is refused', async () => {
    const opened = await send('POST', '/api/cases', { userId: 'K001123', title: '大量出力の確認', findingIds: [FINDING] });
    expect(opened.status).toBe(201);
    const c = (await opened.json()) as { id: string; owner: string; findingIds: string[] };
    expect({ owner: c.owner, findingIds: c.findingIds }).toEqual({ owner: 'staff-triage', findingIds: [FINDING] });
    // A finding of someone else cannot be linked.
    expect((await send('POST', '/api/cases', { userId: 'K009999', title: 'x', findingIds: [FINDING] })).status).toBe(400);

    expect((await send('POST', `/api/cases/${c.id}/notes`, { text: '所属長に確認依頼' })).status).toBe(200);
    expect((await send('POST', `/api/cases/${c.id}/state`, { to: 'closed' })).status).toBe(400);
    const closed = await send('POST', `/api/cases/${c.id}/state`, { to: 'closed', outcome: '業務上必要な出力と確認' });
    expect(await closed.json()).toMatchObject({ state: 'closed', outcome: '業務上必要な出力と確認' });
    const shown = (await (await send('GET', `/api/cases/${c.id}`, undefined, svc.tokens.read)).json()) as {
      timeline: Array<{ kind: string }>;
    };
    expect(shown.timeline.map((e) => e.kind)).toEqual(['opened', 'link', 'note', 'state']);
    expect((await send('GET', '/api/cases/CASE-20250101-0000', undefined, svc.tokens.read)).status).toBe(404);

    const badMonth = await send('GET', '/api/cases/patterns?month=2025-13', undefined, svc.tokens.read);
    expect(badMonth.status).toBe(400);
    expect(await badMonth.text()).toContain('month');
    expect((await send('GET', '/api/cases/patterns?month=2025-04', undefined, svc.tokens.read)).status).toBe(200);
  });

  it("keeps a reviewer to their department's cases and repeat patterns: another department's are left out of the lists and refused (403)", async () => {
    // 納税課 (100700) has K001123; 市民課 (100100) has K002000. Each has findings of two rules in April (継続監視対象).
    await svc.client.insert({
      table: TABLES.staff,
      format: 'JSONEachRow',
      values: [
        {
          version: 1,
          staff_id: 'K001123',
          name: '納税 一郎',
          department_code: '100700',
          department_name: '納税課',
          employment_status: '在職',
        },
        {
          version: 1,
          staff_id: 'K002000',
          name: '市民 花子',
          department_code: '100100',
          department_name: '市民課',
          employment_status: '在職',
        },
      ],
    });
    const theirs = 'e'.repeat(32);
    await svc.client.insert({
      table: TABLES.findings,
      format: 'JSONEachRow',
      values: [
        findingRow('d'.repeat(32), 'mass-lookup', 'high', 'K001123'),
        findingRow(theirs, 'mass-output', 'high', 'K002000'),
        findingRow('c'.repeat(32), 'mass-lookup', 'high', 'K002000'),
      ],
    });
    const mineCase = (await (await send('POST', '/api/cases', { userId: 'K001123', title: '納税課の事案' })).json()) as { id: string };
    const theirCase = (await (
      await send('POST', '/api/cases', { userId: 'K002000', title: '市民課の事案', findingIds: [theirs] })
    ).json()) as {
      id: string;
    };
    const made = await svc.app
      .get(AccountsService)
      .add({ name: '納税課 確認者', role: 'reviewer', departments: ['100700'] }, { kind: 'cli', name: 'test', role: 'cli' });
    const reviewer = await ConsoleUser.login(svc.url, '納税課 確認者', made.oneTimePassword, 'reviewer-password-2025');

    const cases = await reviewer.json<Array<{ id: string; userId: string }>>('GET', '/api/cases');
    expect(cases.map((c) => c.id)).toContain(mineCase.id);
    expect(cases.map((c) => c.userId)).not.toContain('K002000');
    const patterns = await reviewer.json<Array<{ userId: string }>>('GET', '/api/cases/patterns?month=2025-04');
    expect(patterns.map((p) => p.userId)).toEqual(['K001123']);
    // an officer's token sees both
    const all = (await (await send('GET', '/api/cases/patterns?month=2025-04', undefined, svc.tokens.read)).json()) as Array<{
      userId: string;
    }>;
    expect(all.map((p) => p.userId).sort()).toEqual(['K001123', 'K002000']);

    const refused = await reviewer.request('GET', `/api/cases/${theirCase.id}`);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('この事案は担当外です');
    for (const [method, path, body] of [
      ['POST', `/api/cases/${theirCase.id}/notes`, { text: '見た' }],
      ['POST', `/api/cases/${theirCase.id}/state`, { to: 'investigating' }],
      ['POST', `/api/cases/${theirCase.id}/owner`, { owner: '納税課 確認者' }],
      ['DELETE', `/api/cases/${theirCase.id}/findings/${theirs}`, undefined],
      ['POST', '/api/cases', { userId: 'K002000', title: '他課の職員' }],
      ['POST', `/api/cases/${mineCase.id}/findings`, { findingIds: [theirs] }],
    ] as const)
      expect({ method, path, status: (await reviewer.request(method, path, body)).status }).toEqual({ method, path, status: 403 });
    const untouched = (await (await send('GET', `/api/cases/${theirCase.id}`, undefined, svc.tokens.read)).json()) as {
      timeline: unknown[];
      findingIds: string[];
    };
    expect({ events: untouched.timeline.length, findingIds: untouched.findingIds }).toEqual({ events: 2, findingIds: [theirs] });

    // a finding that does not exist is not found, for them as for an officer
    expect((await reviewer.request('POST', `/api/cases/${mineCase.id}/findings`, { findingIds: ['0'.repeat(32)] })).status).toBe(404);

    // the findings page offers them their own department to filter by, not the city's
    expect((await reviewer.json<{ departments: unknown[] }>('GET', '/api/console/options')).departments).toEqual([
      { code: '100700', name: '納税課' },
    ]);
    const everyone = (await (await send('GET', '/api/console/options', undefined, svc.tokens.read)).json()) as {
      departments: Array<{ code: string }>;
    };
    expect(everyone.departments.map((d) => d.code)).toEqual(['100100', '100700']);

    // their own department's case they may work on
    expect((await reviewer.request('POST', `/api/cases/${mineCase.id}/notes`, { text: '所属長に確認' })).status).toBe(200);
    // a case another department's staff member is the subject of, once the reviewer owns it, they may see
    await send('POST', `/api/cases/${theirCase.id}/owner`, { owner: '納税課 確認者' });
    expect((await reviewer.request('GET', `/api/cases/${theirCase.id}`)).status).toBe(200);
    // and a finding of that department an officer assigned to them, they may open a case from
    await svc.client.insert({
      table: TABLES.findingAssignments,
      format: 'JSONEachRow',
      values: [
        { finding_id: 'c'.repeat(32), assignee: '納税課 確認者', assigned_by: 'demo-officer', at: '2025-05-01 09:00:00.000', comment: '' },
      ],
    });
    const fromAssigned = await reviewer.request('POST', '/api/cases', {
      userId: 'K002000',
      title: '割り当てられた検知から',
      findingIds: ['c'.repeat(32)],
    });
    expect(fromAssigned.status).toBe(201);
  }, 120_000);
});
