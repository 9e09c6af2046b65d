import { TABLES } from '@kansa/storage';
import { findingRow } from './fixtures';
import { startTestService, TestService } from './service-harness';

interface DateParameter {
  method: string;
  path: string;
  name: string;
  in: 'query' | 'path';
  kind: 'YYYY-MM-DD' | 'YYYY-MM';
}

/**
 * Every date parameter of the API (found in the OpenAPI document by its
 * documented form) refuses what is not a real calendar date with 400 naming
 * the parameter and the value — never "all findings".
 */
describe('kansa serve: date parameters are real calendar dates', () => {
  let svc: TestService;
  let dateParameters: DateParameter[];

  beforeAll(async () => {
    svc = await startTestService();
    await svc.client.insert({
      table: TABLES.findings,
      values: [findingRow('c'.repeat(32), 'mass-lookup', 'high', 'K001123')],
      format: 'JSONEachRow',
    });
    const doc = (await (await svc.request('/api/docs/openapi.json', { token: svc.tokens.read })).json()) as {
      paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string; description?: string }> }>>;
    };
    dateParameters = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).flatMap(([method, op]) =>
        (op.parameters ?? [])
          .filter((p) => /^YYYY-MM(-DD)?$/.test(p.description ?? ''))
          .map((p) => ({
            method: method.toUpperCase(),
            path,
            name: p.name,
            in: p.in as DateParameter['in'],
            kind: p.description as DateParameter['kind'],
          })),
      ),
    );
  });
  afterAll(() => svc?.close());

  /** A request for the route with every other parameter valid, and `value` for the one under test. */
  function url(p: DateParameter, value: string): string {
    const valid: Record<string, string> = {
      from: '2025-04-01',
      to: '2025-04-30',
      month: '2025-04',
      format: 'csv',
      subject: '010000000053217',
      purpose: '開示請求 第1号',
    };
    const values = { ...valid, [p.name]: value };
    const path = p.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values[name]));
    // Events and a resident's explanations need a subject and a purpose; elsewhere the parameter under test alone (with its partner of a period).
    const query =
      p.path.startsWith('/api/events') || p.path === '/api/explanations'
        ? ['subject', 'purpose', 'from', 'to', ...(p.path === '/api/events/export' ? ['format'] : [])]
        : p.in === 'query'
          ? ['from', 'to'].includes(p.name)
            ? ['from', 'to']
            : [p.name]
          : [];
    return `${path}?${query.map((k) => `${k}=${encodeURIComponent(values[k])}`).join('&')}`;
  }

  it('finds the date parameters of findings, events and reports in the API description', () => {
    expect(dateParameters.map((p) => `${p.method} ${p.path} ${p.name}`).sort()).toEqual(
      expect.arrayContaining([
        'GET /api/events from',
        'GET /api/events to',
        'GET /api/findings from',
        'GET /api/findings to',
        'GET /api/reports/{month}/{format} month',
        'GET /api/cases/patterns month',
        'GET /api/audit/changes from',
      ]),
    );
  });

  it('answers 400 naming the parameter and the value for 9999-99-99, 2026-13-45, 2026-02-30 (and months 2026-13, 9999-99)', async () => {
    const checked: string[] = [];
    for (const p of dateParameters) {
      const bad = p.kind === 'YYYY-MM' ? ['2026-13', '9999-99', '2026-1'] : ['9999-99-99', '2026-13-45', '2026-02-30', '2025-04-1'];
      for (const value of bad) {
        const res = await svc.request(url(p, value), { token: svc.tokens.read });
        const body = (await res.json()) as { message: string };
        expect({ route: `${p.path} ${p.name}=${value}`, status: res.status, message: body.message }).toEqual({
          route: `${p.path} ${p.name}=${value}`,
          status: 400,
          message: expect.stringContaining(`${p.name}: "${value}" is not a date ${p.kind}`),
        });
        checked.push(`${p.name}=${value}`);
      }
      // The same request with a real date is answered (a report not made yet is 404, not 400).
      const missingReport = p.path.startsWith('/api/reports/');
      const good = await svc.request(url(p, p.kind === 'YYYY-MM' ? '2025-04' : p.name === 'to' ? '2025-04-30' : '2025-04-01'), {
        token: svc.tokens.read,
      });
      expect({ route: `${p.path} ${p.name}`, status: good.status }).toEqual({
        route: `${p.path} ${p.name}`,
        status: missingReport ? 404 : 200,
      });
    }
    expect(checked.length).toBeGreaterThanOrEqual(17);
  });

  it('refuses a reversed period instead of answering nothing or everything', async () => {
    const findings = await svc.request('/api/findings?from=2025-05-01&to=2025-04-01', { token: svc.tokens.read });
    expect(findings.status).toBe(400);
    expect(((await findings.json()) as { message: string }).message).toContain('from: 2025-05-01 is after to 2025-04-01');
    const events = await svc.request(`/api/events?user=K001123&from=2025-05-01&to=2025-04-01&purpose=${encodeURIComponent('調査')}`, {
      token: svc.tokens.read,
    });
    expect(events.status).toBe(400);
  });
});
