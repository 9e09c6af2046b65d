import { SchedulerRegistry } from '@nestjs/schedule';
import { ReportsService } from '@kansa/analyzer/reports/reports.service';
import { previousMonth } from '@kansa/calendar';
import { ACTION_TITLES, jstDay, jstTimestamp, SOURCE_TITLES } from '@kansa/domain';
import { Permission, PERMISSIONS, roleHas } from '@kansa/service-shell';
import { TABLES } from '@kansa/storage';
import { encode } from 'iconv-lite';
import { readFileSync } from 'node:fs';
import { chukanRecords, findingRow } from './fixtures';
import { ApiOperation, apiOperations, concretePath as concrete, startTestService, TestService } from './service-harness';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

type Operation = ApiOperation;

describe('kansa serve: HTTP API (real app, embedded ClickHouse, 127.0.0.1)', () => {
  let svc: TestService;
  let operations: Operation[];
  /** The OpenAPI description's own routes (Swagger UI, JSON, YAML): served outside the Nest router. */
  let docsRoutes: string[] = [];

  beforeAll(async () => {
    // The monthly job on, as in a real service (its schedule is checked below).
    svc = await startTestService({ http: { bodyLimitBytes: 64 * 1024, maxBatchLines: 500 }, report: { autoMonthly: true } });
    operations = await apiOperations(svc);
  });
  afterAll(() => svc?.close());

  /** A token whose role lacks the permission (routes for people only refuse every token). */
  const wrongToken = (permission: Permission) =>
    (['ingest', 'read', 'triage'] as const).filter((r) => !roleHas(r, permission)).map((r) => svc.tokens[r])[0];

  it('describes every route of spec/interfaces.md in the OpenAPI document, each with its role', () => {
    const listed = operations.map((o) => `${o.method} ${o.path}`);
    expect(listed).toEqual(
      expect.arrayContaining([
        'POST /api/ingest/{source}',
        'GET /api/findings',
        'GET /api/findings/{id}',
        'POST /api/findings/{id}/transition',
        'GET /api/events',
        'GET /api/reports',
        'GET /api/reports/{month}/{format}',
        'GET /health',
        'GET /metrics',
      ]),
    );
    for (const o of operations) expect([...PERMISSIONS, 'public']).toContain(o.permission);
    // Every route the server really has (Express router) is in the document, so the refusal test below covers it.
    const router = (
      svc.app.getHttpAdapter().getInstance() as { router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> } }
    ).router;
    const served = router.stack
      .filter((layer) => layer.route)
      .flatMap((layer) =>
        Object.keys(layer.route!.methods).map((m) => `${m.toUpperCase()} ${layer.route!.path.replace(/:(\w+)/g, '{$1}')}`),
      );
    const docs = served.filter((r) => r.startsWith('GET /api/docs'));
    expect(docs.length).toBeGreaterThanOrEqual(3);
    expect(listed).toEqual(expect.arrayContaining(served.filter((r) => !docs.includes(r))));
    docsRoutes = docs.map((r) => r.slice('GET '.length));
    expect(operations.filter((o) => o.permission === 'public').map((o) => `${o.method} ${o.path}`)).toEqual([
      'GET /health',
      'POST /api/session',
    ]);
  });

  it('refuses every route but /health without a token, with an unknown token, and with the wrong role', async () => {
    const protectedOps = operations.filter((o) => o.permission !== 'public');
    expect(protectedOps.length).toBeGreaterThanOrEqual(6);
    for (const o of protectedOps) {
      const url = concrete(o.path);
      const body = o.method === 'POST' ? { json: [] as unknown[] } : {};
      const none = await svc.request(url, { method: o.method, ...body });
      expect({ op: `${o.method} ${o.path}`, status: none.status }).toEqual({ op: `${o.method} ${o.path}`, status: 401 });
      const unknown = await svc.request(url, { method: o.method, token: 'kansa_not-a-configured-token', ...body });
      expect({ op: `${o.method} ${o.path}`, status: unknown.status }).toEqual({ op: `${o.method} ${o.path}`, status: 401 });
      const wrong = await svc.request(url, { method: o.method, token: wrongToken(o.permission as Permission), ...body });
      expect({ op: `${o.method} ${o.path}`, status: wrong.status }).toEqual({ op: `${o.method} ${o.path}`, status: 403 });
    }
    // The description itself is behind a token too, every file of it.
    expect(docsRoutes.length).toBeGreaterThanOrEqual(3);
    for (const path of docsRoutes) expect({ path, status: (await svc.request(path)).status }).toEqual({ path, status: 401 });
    // Nothing was stored by the refused requests.
    const [n] = await svc.rows<{ n: string }>(`SELECT count() AS n FROM ${TABLES.importBatches}`);
    expect(Number(n.n)).toBe(0);
  });

  it('answers /health without a token: live and ready with storage up', async () => {
    const res = await svc.request('/health');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { live: boolean; ready: boolean; checks: Record<string, { ok: boolean }> };
    expect(body).toMatchObject({ live: true, ready: true, checks: { storage: { ok: true } } });
  });

  it('stores a batch and acknowledges it with counts; the same batch again is all duplicates', async () => {
    const records = chukanRecords(40, { day: '2025-04-15' });
    const first = await svc.request('/api/ingest/chukan', { method: 'POST', token: svc.tokens.ingest, json: records });
    const a = (await first.json()) as Record<string, unknown>;
    expect(first.status).toBe(200);
    expect(a).toMatchObject({ read: 40, stored: 40, duplicates: 0, quarantined: 0, rejected: [] });
    const again = await svc.request('/api/ingest/chukan', { method: 'POST', token: svc.tokens.ingest, json: { records } });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ read: 40, stored: 0, duplicates: 40, quarantined: 0 });
    const [n] = await svc.rows<{ n: string }>(`SELECT count() AS n FROM ${TABLES.events} WHERE source = 'chukan' AND day = '2025-04-15'`);
    expect(Number(n.n)).toBe(40);
    const [batch] = await svc.rows<{ origin: string; transport: string }>(
      `SELECT origin, transport FROM ${TABLES.importBatches} ORDER BY seq LIMIT 1`,
    );
    expect(batch).toEqual({ origin: 'http:sender-1', transport: 'http' });
  });

  it('stores Windows Security events sent as JSON (evtx_dump shape) and says what was kept apart', async () => {
    const event = (id: number, user: string, domain: string, type: string) => ({
      Event: {
        System: {
          EventID: 4624,
          TimeCreated: { '#attributes': { SystemTime: '2025-04-15T00:30:00.000Z' } },
          EventRecordID: id,
          Channel: 'Security',
          Computer: 'WS-100100-001',
        },
        EventData: { TargetUserName: user, TargetDomainName: domain, LogonType: type },
      },
    });
    const res = await svc.request('/api/ingest/windows', {
      method: 'POST',
      token: svc.tokens.ingest,
      json: [event(1, 'K000001', 'CITY', '2'), event(2, 'WS-100100-001$', 'CITY', '3')],
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      read: 2,
      stored: 1,
      apart: 1,
      apartKinds: { '非職員アカウント: コンピューターアカウント': 1 },
    });
  });

  it('accepts newline-delimited text as one record per line', async () => {
    const body =
      chukanRecords(3, { day: '2025-04-16' })
        .map((r) => JSON.stringify(r))
        .join('\n') + '\n';
    const res = await svc.request('/api/ingest/chukan', {
      method: 'POST',
      token: svc.tokens.ingest,
      body,
      headers: { 'Content-Type': 'application/x-ndjson' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ read: 3, stored: 3 });
  });

  it('accepts a CP932 CSV body (header line and all) as the 住民記録 system writes it', async () => {
    const csv = [
      '処理日時,職員ID,職員氏名,所属コード,所属名,端末ID,IPアドレス,画面ID,画面名,処理区分,宛名番号,個人番号表示,処理事由,対象件数,処理結果',
      '2025/04/14 08:08:06,K001198,髙橋 﨑子,100700,納税課,WS-100700-006,10.7.0.15,JR0001,ログイン,ログイン,,無,,0,正常',
      '2025/04/14 08:09:27,K001084,伊藤 太郎,100300,市民税課,WS-100300-008,10.3.0.17,JR0001,ログイン,ログイン,,無,,0,正常',
    ].join('\r\n');
    const res = await svc.request('/api/ingest/jumin', {
      method: 'POST',
      token: svc.tokens.ingest,
      body: encode(csv, 'cp932'),
      headers: { 'Content-Type': 'text/csv; charset=shift_jis' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ read: 2, stored: 2, quarantined: 0 });
    const names = await svc.rows<{ user_name: string }>(`SELECT user_name FROM ${TABLES.events} WHERE source = 'jumin' ORDER BY ts`);
    expect(names.map((n) => n.user_name)).toEqual(['髙橋 﨑子', '伊藤 太郎']);
  });

  it('answers 422 naming each bad line (line, field, reason) while storing the good ones', async () => {
    const records: unknown[] = chukanRecords(5, { day: '2025-04-17' });
    records[1] = { ...(records[1] as object), time: 'yesterday' };
    records[3] = 'not json at all';
    const res = await svc.request('/api/ingest/chukan', { method: 'POST', token: svc.tokens.ingest, json: records });
    expect(res.status).toBe(422);
    const body = (await res.json()) as {
      stored: number;
      quarantined: number;
      rejected: Array<{ line: number; field: string; reason: string }>;
    };
    expect(body.stored).toBe(3);
    expect(body.quarantined).toBe(2);
    expect(body.rejected.map((r) => r.line)).toEqual([2, 4]);
    for (const r of body.rejected) expect(r.reason.length).toBeGreaterThan(0);
    expect(body.rejected[0].field).toMatch(/time/);
  });

  it('refuses bodies that are not a batch (400) and batches over the limits (413), storing nothing', async () => {
    const before = await svc.rows<{ n: string }>(`SELECT count() AS n FROM ${TABLES.importBatches}`);
    const notBatch = await svc.request('/api/ingest/chukan', { method: 'POST', token: svc.tokens.ingest, json: { lines: 'x' } });
    expect(notBatch.status).toBe(400);
    expect(((await notBatch.json()) as { message: string }).message).toMatch(/lines/);
    const unknown = await svc.request('/api/ingest/nosuch', { method: 'POST', token: svc.tokens.ingest, json: ['x'] });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { message: string }).message).toContain('nosuch');
    const badJson = await svc.request('/api/ingest/chukan', {
      method: 'POST',
      token: svc.tokens.ingest,
      body: '[{',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(badJson.status).toBe(400);
    const tooBig = await svc.request('/api/ingest/chukan', { method: 'POST', token: svc.tokens.ingest, json: ['x'.repeat(70 * 1024)] });
    expect(tooBig.status).toBe(413);
    const tooMany = await svc.request('/api/ingest/chukan', {
      method: 'POST',
      token: svc.tokens.ingest,
      json: Array.from({ length: 501 }, () => 'x'),
    });
    expect(tooMany.status).toBe(413);
    expect(((await tooMany.json()) as { message: string }).message).toContain('501');
    const after = await svc.rows<{ n: string }>(`SELECT count() AS n FROM ${TABLES.importBatches}`);
    expect(after).toEqual(before);
  });

  it('requires a purpose for events and records who read what, when and why before answering', async () => {
    const noPurpose = await svc.request('/api/events?user=K001123', { token: svc.tokens.read });
    expect(noPurpose.status).toBe(400);
    const purpose = '開示請求 令和7年 第12号';
    const res = await svc.request(`/api/events?user=K001123&from=2025-04-15&to=2025-04-15&purpose=${encodeURIComponent(purpose)}`, {
      token: svc.tokens.read,
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { total: number; events: Array<{ userId: string }> };
    expect(body.total).toBe(40);
    expect(new Set(body.events.map((e) => e.userId))).toEqual(new Set(['K001123']));
    const bySubject = await svc.request(`/api/events?subject=010000000053217&purpose=${encodeURIComponent('問い合わせ対応')}`, {
      token: svc.tokens.triage,
    });
    expect(bySubject.status).toBe(200);
    const audit = await svc.rows<{ client: string; role: string; route: string; query: string; purpose: string }>(
      `SELECT client, role, route, query, purpose FROM ${TABLES.apiAccessLog} WHERE route = '/api/events' ORDER BY at`,
    );
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({ client: 'staff-read', role: 'read', purpose });
    expect(JSON.parse(audit[0].query)).toMatchObject({ user: 'K001123', from: '2025-04-15', to: '2025-04-15' });
    expect(audit[1]).toMatchObject({ client: 'staff-triage', purpose: '問い合わせ対応' });
    expect(JSON.parse(audit[1].query)).toMatchObject({ subject: '010000000053217' });
    // the same look-up as a PDF for the requester (pdfkit is loaded with the first PDF)
    const pdf = await svc.request(
      `/api/events/export?user=K001123&from=2025-04-15&to=2025-04-15&format=pdf&purpose=${encodeURIComponent(purpose)}`,
      {
        token: svc.tokens.read,
      },
    );
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString('latin1'),
    ).toBe('%PDF-');
    // as CSV for the requester: systems and operations in the words staff read, not kansa's codes
    const csv = await svc.request(
      `/api/events/export?user=K001123&from=2025-04-15&to=2025-04-15&format=csv&purpose=${encodeURIComponent(purpose)}`,
      { token: svc.tokens.read },
    );
    expect(csv.status).toBe(200);
    const rows = (await csv.text()).split('\r\n').map((line) => line.split(','));
    const header = rows.findIndex((r) => r[0] === '日時');
    const listed = rows.slice(header + 1).filter((r) => r.length > 5);
    expect(listed).toHaveLength(40);
    const column = (name: string) => new Set(listed.map((r) => r[rows[header].indexOf(name)]));
    expect([...column('システム')].every((title) => Object.values(SOURCE_TITLES).includes(title as never))).toBe(true);
    expect([...column('操作')].every((title) => Object.values(ACTION_TITLES).includes(title))).toBe(true);
  });

  it('lists findings, shows one, and records triage under the token holder', async () => {
    const id = 'a'.repeat(32);
    await svc.client.insert({
      table: TABLES.findings,
      values: [findingRow(id, 'mass-lookup', 'high', 'K001123')],
      format: 'JSONEachRow',
    });
    const list = await svc.request('/api/findings?from=2025-04-01&to=2025-04-30', { token: svc.tokens.read });
    expect(list.status).toBe(200);
    const findings = (await list.json()) as Array<{ id: string; status: string }>;
    expect(findings.map((f) => [f.id, f.status])).toEqual([[id, 'new']]);
    const missing = await svc.request(`/api/findings/${'b'.repeat(32)}`, { token: svc.tokens.read });
    expect(missing.status).toBe(404);
    const readOnly = await svc.request(`/api/findings/${id}/transition`, {
      method: 'POST',
      token: svc.tokens.read,
      json: { to: 'reviewing' },
    });
    expect(readOnly.status).toBe(403);
    const ok = await svc.request(`/api/findings/${id}/transition`, {
      method: 'POST',
      token: svc.tokens.triage,
      json: { to: 'reviewing', comment: '確認開始' },
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ id, status: 'reviewing', reviewedBy: 'staff-triage' });
    const notAllowed = await svc.request(`/api/findings/${id}/transition`, {
      method: 'POST',
      token: svc.tokens.triage,
      json: { to: 'closed' },
    });
    expect(notAllowed.status).toBe(409);
    expect(await notAllowed.json()).toMatchObject({
      message: expect.stringMatching(/reviewing → closed/),
      current: { status: 'reviewing', reviewedBy: 'staff-triage' },
    });
    const one = await svc.request(`/api/findings/${id}`, { token: svc.tokens.read });
    const detail = (await one.json()) as { history: Array<{ by: string; to: string }> };
    expect(detail.history.map((h) => [h.by, h.to])).toEqual([['staff-triage', 'reviewing']]);
  });

  it('lists monthly reports and hands out a report file, recording the download', async () => {
    const missing = await svc.request('/api/reports/2025-03/pdf', { token: svc.tokens.read });
    expect(missing.status).toBe(404);
    const badMonth = await svc.request('/api/reports/2025-13/pdf', { token: svc.tokens.read });
    expect(badMonth.status).toBe(400);
    const out = scratchDir('report');
    const made = await svc.app.get(ReportsService).make('2025-04', { formats: ['csv'], outDir: out, trigger: 'manual' });
    const list = await svc.request('/api/reports', { token: svc.tokens.read });
    expect(list.status).toBe(200);
    // (The month made here: the monthly job, on in this service, would add last month's if it ticked at 06:30 JST meanwhile.)
    const listed = (await list.json()) as Array<{ month: string; format: string }>;
    expect(listed.filter((r) => r.month === '2025-04').map((r) => [r.month, r.format])).toEqual([['2025-04', 'csv']]);
    const file = await svc.request('/api/reports/2025-04/csv?purpose=' + encodeURIComponent('監査委員への提出'), {
      token: svc.tokens.read,
    });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toContain('text/csv');
    expect(file.headers.get('content-disposition')).toContain('kansa-report-2025-04.csv');
    expect(Buffer.from(await file.arrayBuffer()).equals(readFileSync(made.files[0].path))).toBe(true);
    const audit = await svc.rows<{ client: string; purpose: string }>(
      `SELECT client, purpose FROM ${TABLES.apiAccessLog} WHERE route = '/api/reports/:month/:format' AND purpose != ''`,
    );
    expect(audit).toEqual([{ client: 'staff-read', purpose: '監査委員への提出' }]);
  });

  it('exposes Prometheus metrics: lines per source and outcome, findings per rule', async () => {
    const res = await svc.request('/metrics', { token: svc.tokens.read });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/kansa_events_lines\{source="chukan",transport="http",outcome="stored"\} 46\b/);
    expect(text).toMatch(/kansa_events_lines\{source="chukan",transport="http",outcome="duplicate"\} 40\b/);
    expect(text).toMatch(/kansa_events_lines\{source="chukan",transport="http",outcome="quarantined"\} 2\b/);
    expect(text).toMatch(/kansa_findings\{rule="mass-lookup",severity="high"\} 1\b/);
    expect(text).toMatch(/kansa_http_requests_total\{method="POST",route="\/api\/ingest\/:source",status="200"\}/);
    expect(text).toContain('kansa_storage_up 1');
    // Last month's report: made by the automatic run by report.deadlineDay, overdue after it (0 or 1 by today's date).
    const lastMonth = previousMonth(jstDay(Date.now()));
    expect(text).toMatch(new RegExp(`^kansa_report_overdue\\{month="${lastMonth}"\\} [01]$`, 'm'));
    expect(text).toMatch(/^kansa_report_failures_total 0$/m);
  });

  it('schedules the automatic monthly report (report.cron, Japan time) beside the analysis runs', () => {
    const jobs = svc.app.get(SchedulerRegistry).getCronJobs();
    expect([...jobs.keys()]).toEqual(expect.arrayContaining(['analysis-daily', 'analysis-incremental', 'monthly-report']));
    // '30 6 * * *' by default: every day at 06:30 JST, whatever the machine's zone.
    expect(jstTimestamp(jobs.get('monthly-report')!.nextDate().toJSDate()).slice(11, 16)).toBe('06:30');
  });
});
