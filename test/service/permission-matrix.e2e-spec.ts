import { API_ROLES } from '@kansa/config';
import { AccountsService, Permission, PERSON_ROLES, roleHas } from '@kansa/service-shell';
import { ConsoleUser } from '../console/console-user';
import { ApiOperation, apiOperations, concretePath as concrete, startTestService, TestService } from './service-harness';

type Operation = ApiOperation;

/** Every route and the permission it needs: the matrix of docs/console.md, route by route. */
const ROUTES: Record<string, Operation['permission']> = {
  'GET /health': 'public',
  'POST /api/session': 'public',
  'GET /api/session': 'self',
  'DELETE /api/session': 'self',
  'POST /api/session/password': 'self',
  'GET /api/console/dashboard': 'dashboard',
  'GET /api/findings': 'findings.read',
  'GET /api/findings/{id}': 'findings.read',
  'GET /api/console/findings': 'findings.read',
  'GET /api/console/findings/{id}': 'findings.read',
  'GET /api/console/findings/{id}/evidence/{eventId}/raw': 'findings.read',
  'GET /api/console/options': 'findings.read',
  'POST /api/findings/{id}/transition': 'findings.triage',
  'POST /api/console/findings/assign': 'findings.assign',
  'GET /api/events': 'events.read',
  'GET /api/events/export': 'events.read',
  'GET /api/reports': 'reports.read',
  'GET /api/reports/status': 'reports.read',
  'GET /api/reports/{month}/{format}': 'reports.read',
  'POST /api/reports': 'reports.make',
  'GET /api/rules': 'catalogue.read',
  'GET /api/masters': 'catalogue.read',
  'POST /api/masters/preview': 'masters.load',
  'POST /api/masters': 'masters.load',
  'GET /api/users': 'users.manage',
  'POST /api/users': 'users.manage',
  'PATCH /api/users/{userId}': 'users.manage',
  'POST /api/users/{userId}/reset-password': 'users.manage',
  'GET /api/tokens': 'users.manage',
  'GET /api/audit': 'audit.read',
  'GET /api/audit/changes': 'audit.read',
  'GET /api/exceptions': 'findings.read',
  'GET /api/exceptions/{id}': 'findings.read',
  'POST /api/exceptions': 'exceptions.approve',
  'PUT /api/exceptions/{id}': 'exceptions.approve',
  'POST /api/exceptions/{id}/revoke': 'exceptions.approve',
  'GET /api/cases': 'findings.read',
  'GET /api/cases/patterns': 'findings.read',
  'GET /api/cases/{id}': 'findings.read',
  'POST /api/cases': 'findings.triage',
  'POST /api/cases/{id}/notes': 'findings.triage',
  'POST /api/cases/{id}/findings': 'findings.triage',
  'DELETE /api/cases/{id}/findings/{findingId}': 'findings.triage',
  'POST /api/cases/{id}/state': 'findings.triage',
  'POST /api/cases/{id}/owner': 'findings.triage',
  'GET /api/explanations': 'events.read',
  'GET /api/explanations/month/{month}': 'findings.read',
  'GET /api/findings/{id}/explanations': 'findings.read',
  'POST /api/ingest/{source}': 'ingest',
  'GET /metrics': 'service.read',
  'GET /api/batches/set-aside': 'service.read',
  'POST /api/batches/{id}/replay': 'service.operate',
  'POST /api/batches/{id}/discard': 'service.operate',
};

/**
 * The permission matrix (docs/console.md), route by route: every route of
 * the OpenAPI document is called by a token of each machine role and a
 * person of each role; it is refused (403) exactly to those whose role lacks
 * the route's permission, and never refused to the others.
 */
describe('permission matrix: every route × every role (tokens and people)', () => {
  let svc: TestService;
  let operations: Operation[];
  const people = new Map<string, ConsoleUser>();

  beforeAll(async () => {
    svc = await startTestService();
    operations = await apiOperations(svc);
    const accounts = svc.app.get(AccountsService);
    for (const role of PERSON_ROLES) {
      const name = `person-${role}`;
      const made = await accounts.add(
        { name, role, departments: role === 'reviewer' ? ['100100'] : [] },
        { kind: 'cli', name: 'test', role: 'cli' },
      );
      people.set(role, await ConsoleUser.login(svc.url, name, made.oneTimePassword, 'matrix-password-2025'));
    }
  }, 120_000);
  afterAll(() => svc?.close());

  it('gives every route the permission the matrix says (and no route is missing from it)', () => {
    expect(Object.fromEntries(operations.map((o) => [`${o.method} ${o.path}`, o.permission]))).toEqual(ROUTES);
  });

  it("refuses exactly the roles without the route's permission", async () => {
    const protectedOps = operations.filter((o) => o.permission !== 'public');
    expect(protectedOps.length).toBeGreaterThanOrEqual(25);
    const wrong: string[] = [];
    // The log-out ends the session it is called with: last.
    const ordered = [
      ...protectedOps.filter((o) => !(o.method === 'DELETE' && o.path === '/api/session')),
      ...protectedOps.filter((o) => o.method === 'DELETE' && o.path === '/api/session'),
    ];
    for (const o of ordered) {
      const url = concrete(o.path);
      const body = o.method === 'GET' || o.method === 'DELETE' ? undefined : {};
      for (const role of API_ROLES) {
        const res = await svc.request(url, { method: o.method, token: svc.tokens[role], ...(body ? { json: body } : {}) });
        const refused = res.status === 403;
        const allowed = roleHas(role, o.permission as Permission);
        if (refused === allowed || res.status === 401)
          wrong.push(`token ${role}: ${o.method} ${o.path} → ${res.status} (permission ${o.permission})`);
      }
      for (const role of PERSON_ROLES) {
        const res = await people.get(role)!.request(o.method, url, body);
        const refused = res.status === 403;
        const allowed = roleHas(role, o.permission as Permission);
        if (refused === allowed || res.status === 401)
          wrong.push(`person ${role}: ${o.method} ${o.path} → ${res.status} (permission ${o.permission})`);
      }
    }
    expect(wrong).toEqual([]);
  }, 300_000);
});
