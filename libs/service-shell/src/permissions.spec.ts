import { API_ROLES } from '@kansa/config';
import { PERMISSIONS, PERSON_ROLES, roleHas } from './permissions';

describe('the permission matrix (docs/console.md)', () => {
  it('gives each role only what it needs', () => {
    const table = Object.fromEntries(
      [...API_ROLES, ...PERSON_ROLES].map((role) => [role, PERMISSIONS.filter((p) => roleHas(role, p)).join(' ')]),
    );
    expect(table).toEqual({
      ingest: 'ingest',
      read: 'dashboard findings.read events.read reports.read catalogue.read audit.read service.read',
      triage:
        'dashboard findings.read findings.triage exceptions.approve events.read reports.read catalogue.read audit.read service.read service.operate',
      admin: 'self dashboard catalogue.read masters.load users.manage audit.read service.read service.operate',
      officer:
        'self dashboard findings.read findings.triage findings.assign exceptions.approve events.read reports.read reports.make catalogue.read masters.load',
      reviewer: 'self dashboard findings.read findings.triage catalogue.read',
      auditor: 'self dashboard findings.read events.read reports.read catalogue.read audit.read service.read',
      viewer: 'self dashboard',
    });
  });

  it('never lets a role read personal data and change users at once, nor lets the auditor change anything', () => {
    for (const role of [...API_ROLES, ...PERSON_ROLES]) {
      expect({ role, both: roleHas(role, 'users.manage') && roleHas(role, 'events.read') }).toEqual({ role, both: false });
    }
    const changes = [
      'findings.triage',
      'findings.assign',
      'exceptions.approve',
      'reports.make',
      'masters.load',
      'users.manage',
      'service.operate',
    ] as const;
    expect(changes.filter((p) => roleHas('auditor', p))).toEqual([]);
    expect(PERMISSIONS.filter((p) => roleHas('viewer', p))).toEqual(['self', 'dashboard']);
  });
});
