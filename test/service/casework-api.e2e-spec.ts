import { TABLES } from '@kansa/storage';
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
});
