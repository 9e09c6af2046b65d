import { AnalysisService } from '@kansa/analyzer/detection/analysis.service';
import { MastersRepository } from '@kansa/masters';
import { AccountsService } from '@kansa/service-shell';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConsoleUser } from '../console/console-user';
import { startTestService, TestService } from './service-harness';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

const JUMIN = (time: string, user: string, dept: string, subject: string) =>
  `2025/04/15 ${time},${user},テスト 職員,${dept},課,WS-${dept}-001,10.0.0.1,JR0201,住民照会,照会,${subject},無,窓口,1,正常`;

/**
 * Business records sent over HTTP, then the console's questions over HTTP:
 * why each access of a finding is considered fine, a user's accesses (read
 * like events: the purpose is required and recorded), the month's shares.
 */
describe('kansa serve: business records in, explanations out', () => {
  let svc: TestService;
  const dir = scratchDir('explanations-api');
  const get = (path: string) => svc.request(path, { token: svc.tokens.read });

  beforeAll(async () => {
    svc = await startTestService();
    writeFileSync(
      join(dir, 'staff.csv'),
      '職員ID,氏名,所属コード,所属名,在職区分,退職日,宛名番号,世帯番号\nK000001,髙橋 一郎,100100,市民課,在職,,1000000001,2000000001\n',
    );
    writeFileSync(
      join(dir, 'residents.csv'),
      '宛名番号,統合宛名番号,世帯番号\n1000000001,010000000000009,2000000001\n1000000008,010000000000022,2000000002\n',
    );
    await svc.app.get(MastersRepository).load(dir, { effectiveFrom: '2025-04-01' });
  });
  afterAll(async () => {
    await svc?.close();
  });

  it('takes business records over HTTP (CSV lines and canonical events, one record once) and explains the accesses they cover', async () => {
    const records = await svc.request('/api/ingest/records', {
      method: 'POST',
      token: svc.tokens.ingest,
      json: ['2025/04/14 09:00:00,100100,J01,届出受付,1000000008,,R-1', '2025/04/14 09:00:00,100100,J01,届出受付,,,R-2'],
    });
    // a record naming no resident is refused by line and field (422: not to be sent again as it is), the other stored
    expect(records.status).toBe(422);
    expect(await records.json()).toMatchObject({ read: 2, stored: 1, quarantined: 1, rejected: [{ line: 2, field: '宛名番号' }] });
    const again = await svc.request('/api/ingest/canonical', {
      method: 'POST',
      token: svc.tokens.ingest,
      json: [
        {
          ts: '2025-04-14T09:00:00+09:00',
          source: 'records',
          action: 'record',
          departmentCode: '100100',
          businessCode: 'J01',
          reason: '届出受付',
          subjectId: '1000000008',
          sourceEventId: 'R-1',
        },
      ],
    });
    expect(await again.json()).toMatchObject({ read: 1, stored: 0, duplicates: 1 });
    const jumin = await svc.request('/api/ingest/jumin', {
      method: 'POST',
      token: svc.tokens.ingest,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      body: [JUMIN('10:00:00', 'K000001', '100100', '1000000008'), JUMIN('10:05:00', 'K000001', '100100', '1000000001')].join('\n'),
    });
    expect(await jumin.json()).toMatchObject({ stored: 2 });
    await svc.app.get(AnalysisService).analyze({ fromDay: '2025-04-15', toDay: '2025-04-15' });

    const findings = (await (await get('/api/findings?rule=self-lookup')).json()) as Array<{ id: string }>;
    expect(findings).toHaveLength(1);
    const explained = await get(`/api/findings/${findings[0].id}/explanations`);
    expect(explained.status).toBe(200);
    expect(await explained.json()).toMatchObject({
      rule: 'self-lookup',
      counts: { flagged: 1, explained: 0, byFlag: { self: 1 } },
      events: [{ class: 'flagged', flags: ['self'] }],
      labels: { flags: { self: '本人・同一世帯' } },
    });
    expect((await get(`/api/findings/${'0'.repeat(32)}/explanations`)).status).toBe(404);

    // a user's accesses: the purpose is required, and the read is recorded with it
    expect((await get('/api/explanations?user=K000001&from=2025-04-15&to=2025-04-15')).status).toBe(400);
    expect((await get('/api/explanations?user=K000001&from=2025-04-15&to=2025-04-31&purpose=調査')).status).toBe(400);
    const user = await get('/api/explanations?user=K000001&from=2025-04-15&to=2025-04-15&purpose=' + encodeURIComponent('内部監査 第3号'));
    expect(user.status).toBe(200);
    const body = (await user.json()) as { total: number; accesses: Array<{ subjectId: string; class: string; recordRef: string }> };
    expect(body.total).toBe(2);
    expect(body.accesses.map((a) => [a.subjectId, a.class, a.recordRef])).toEqual([
      ['1000000008', 'explained', '100100:R-1'],
      ['1000000001', 'flagged', ''],
    ]);
    const audit = await svc.rows<{ purpose: string }>(
      `SELECT purpose FROM api_access_log WHERE path LIKE '/api/explanations%' AND purpose != ''`,
    );
    expect(audit.map((a) => a.purpose)).toEqual(['内部監査 第3号']);

    const month = await get('/api/explanations/month/2025-04');
    expect(await month.json()).toMatchObject({
      total: { accesses: 2, explained: 1, flagged: 1 },
      flaggedByStaff: [{ userId: 'K000001', accesses: 1 }],
    });
    expect((await get('/api/explanations/month/2025-13')).status).toBe(400);

    // a reviewer of another department: the finding's explanations are refused as the finding is, and the month's
    // counts stay whole while its list of staff leaves out those outside their departments
    const reviewer = async (name: string, department: string) => {
      const made = await svc.app
        .get(AccountsService)
        .add({ name, role: 'reviewer', departments: [department] }, { kind: 'cli', name: 'test', role: 'cli' });
      return ConsoleUser.login(svc.url, name, made.oneTimePassword, 'reviewer-password-2025');
    };
    const other = await reviewer('納税課 確認者', '100700');
    expect((await other.request('GET', `/api/findings/${findings[0].id}/explanations`)).status).toBe(403);
    expect(await other.json('GET', '/api/explanations/month/2025-04')).toMatchObject({
      total: { accesses: 2, explained: 1, flagged: 1 },
      flaggedByStaff: [],
    });
    const own = await reviewer('市民課 確認者', '100100');
    expect((await own.request('GET', `/api/findings/${findings[0].id}/explanations`)).status).toBe(200);
    expect(await own.json('GET', '/api/explanations/month/2025-04')).toMatchObject({ flaggedByStaff: [{ userId: 'K000001' }] });
  });
});
