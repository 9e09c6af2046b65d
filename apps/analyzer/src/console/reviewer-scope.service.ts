import { Injectable } from '@nestjs/common';
import { ApiClient } from '@kansa/service-shell';
import type { Case } from '../casework/cases/case.model';
import { ConsoleFindingsRepository } from './console-findings.repository';
import { ConsoleFindingsService } from './console-findings.service';
import { findingScopeOf, inScope, outOfScope } from './finding-scope';

/**
 * What of the staff a caller may see beyond findings (which
 * ConsoleFindingsService scopes): cases (事案), repeat patterns (継続監視対象)
 * and per-staff counts — everything, or, for a reviewer, those of staff of
 * their departments (所属 in the latest staff master) and the cases they own
 * (docs/console.md). Who is under investigation in another department is
 * not a reviewer's to know.
 */
@Injectable()
export class ReviewerScopeService {
  constructor(
    private readonly repo: ConsoleFindingsRepository,
    private readonly findings: ConsoleFindingsService,
  ) {}

  /** The cases among these the caller may see. */
  cases(client: ApiClient, cases: Case[]): Promise<Case[]> {
    return this.keep(client, cases, (c) => c.owner);
  }

  /**
   * The rows among these (one per staff member: repeat patterns, per-staff counts) the caller may see. A repeat
   * pattern's open cases are all of its staff member, so a pattern a reviewer may see has no case they may not.
   */
  staffRows<T extends { userId: string }>(client: ApiClient, rows: T[]): Promise<T[]> {
    return this.keep(client, rows, () => '');
  }

  /** The case if the caller may see and work on it; 403 outside a reviewer's scope. */
  async check(client: ApiClient, c: Case): Promise<Case> {
    if (!(await this.visible(client, [{ userId: c.userId, owner: c.owner }]))[0])
      throw outOfScope(
        'この事案は担当外です。担当所属の職員の事案と、自分が担当の事案だけを表示・更新できます (case outside your departments)',
      );
    return c;
  }

  /**
   * Refuses (403) a case a reviewer opens with findings they may not see, or for a staff member outside their
   * departments unless it starts from findings assigned to them (the officer involved them in that person's findings).
   */
  async checkOpening(client: ApiClient, userId: string, findingIds: readonly string[]): Promise<void> {
    await this.checkFindings(client, findingIds);
    if (findingIds.length === 0 && !(await this.visible(client, [{ userId, owner: '' }]))[0])
      throw outOfScope(`職員 ${userId} は担当所属の職員ではないため、事案を開けません (staff member outside your departments)`);
  }

  /** Refuses findings the caller may not see (403, a reviewer linking another department's finding to a case) or that do not exist (404), as their pages do. */
  async checkFindings(client: ApiClient, ids: readonly string[]): Promise<void> {
    if (findingScopeOf(client).all) return;
    for (const id of new Set(ids)) await this.findings.stateOf(client, id);
  }

  /** The items the caller may see: each of a staff member (`userId`), owned by someone (`ownerOf`, '' for nobody). */
  private async keep<T extends { userId: string }>(client: ApiClient, items: T[], ownerOf: (item: T) => string): Promise<T[]> {
    const visible = await this.visible(
      client,
      items.map((i) => ({ userId: i.userId, owner: ownerOf(i) })),
    );
    return items.filter((_, i) => visible[i]);
  }

  private async visible(client: ApiClient, items: Array<{ userId: string; owner: string }>): Promise<boolean[]> {
    const scope = findingScopeOf(client);
    if (scope.all) return items.map(() => true);
    const departments = await this.repo.staffDepartments(items.map((i) => i.userId));
    return items.map((i) => inScope(scope, { assignee: i.owner, departmentCode: departments.get(i.userId) ?? '' }));
  }
}
