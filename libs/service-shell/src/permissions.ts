import type { ApiRole } from '@kansa/config';

import { PERSON_ROLES, PersonRole } from '@kansa/domain';

export { PERSON_ROLE_TITLES, PERSON_ROLES } from '@kansa/domain';
export type { PersonRole } from '@kansa/domain';

/**
 * What a route needs. Every route declares one (@RequirePermission) or is
 * public (@PublicRoute); the matrix below says who has it (docs/console.md
 * "Permission matrix", tested route by route).
 */
export const PERMISSIONS = [
  'self', // one's own session and password
  'ingest', // POST /api/ingest/:source
  'dashboard', // counts without personal data
  'findings.read', // findings and their evidence (reviewers: their own and their department's only)
  'findings.triage', // triage transitions (reviewers: as above)
  'findings.assign', // bulk assignment
  'exceptions.approve', // approved exceptions (例外承認): add, edit, revoke
  'events.read', // who touched this resident (開示請求), what this user did; exports
  'reports.read', // list and download monthly reports
  'reports.make', // generate a monthly report
  'catalogue.read', // rule catalogue, master versions
  'masters.load', // upload masters
  'users.manage', // people's accounts, the list of API tokens
  'audit.read', // kansa's own audit log
  'service.read', // metrics, set-aside batches
  'service.operate', // replay or discard set-aside batches
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const TOKEN_READ: Permission[] = [
  'dashboard',
  'findings.read',
  'events.read',
  'reports.read',
  'catalogue.read',
  'audit.read',
  'service.read',
];

/** The permission matrix: what each role may do. Least privilege: nobody has more than the role needs. */
export const ROLE_PERMISSIONS: Record<ApiRole | PersonRole, readonly Permission[]> = {
  // machines (API tokens)
  ingest: ['ingest'],
  read: TOKEN_READ,
  triage: [...TOKEN_READ, 'findings.triage', 'exceptions.approve', 'service.operate'],
  // people (console accounts)
  admin: ['self', 'dashboard', 'catalogue.read', 'masters.load', 'users.manage', 'audit.read', 'service.read', 'service.operate'],
  officer: [
    'self',
    'dashboard',
    'findings.read',
    'findings.triage',
    'findings.assign',
    'exceptions.approve',
    'events.read',
    'reports.read',
    'reports.make',
    'catalogue.read',
    'masters.load',
  ],
  reviewer: ['self', 'dashboard', 'findings.read', 'findings.triage', 'catalogue.read'],
  auditor: ['self', 'dashboard', 'findings.read', 'events.read', 'reports.read', 'catalogue.read', 'audit.read', 'service.read'],
  viewer: ['self', 'dashboard'],
};

export function roleHas(role: ApiRole | PersonRole, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role]?.includes(permission) ?? false;
}

export function isPersonRole(role: string): role is PersonRole {
  return (PERSON_ROLES as readonly string[]).includes(role);
}
