import { ForbiddenException } from '@nestjs/common';
import type { ApiClient } from '@kansa/service-shell';

/**
 * Which findings a caller may see and triage: everything, or — a reviewer —
 * those assigned to them and those of staff of their departments (所属).
 */
export type FindingScope = { all: true } | { all: false; assignee: string; departments: readonly string[] };

export function findingScopeOf(client: ApiClient): FindingScope {
  if (client.kind === 'person' && client.role === 'reviewer') {
    return { all: false, assignee: client.name, departments: client.departments ?? [] };
  }
  return { all: true };
}

/** Whether a finding (its assignee and its staff member's department) lies within the scope. */
export function inScope(scope: FindingScope, f: { assignee: string; departmentCode: string }): boolean {
  return scope.all || (f.assignee !== '' && f.assignee === scope.assignee) || scope.departments.includes(f.departmentCode);
}

/** What lies outside a reviewer's scope is refused with 403 and the reason, for the console to show as it is. */
export function outOfScope(message: string): ForbiddenException {
  return new ForbiddenException({ statusCode: 403, error: 'out-of-scope', message });
}
