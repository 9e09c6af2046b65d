import { Injectable } from '@nestjs/common';
import { AuditTrailService } from '@kansa/audit-trail';
import { jstDay, MASTER_TITLES } from '@kansa/domain';
import {
  accountsEnabled,
  alarming,
  assignmentsBackdated,
  describeMasterChanges,
  leavesBackdated,
  MasterChanges,
  permissionsWidened,
  retirementsBackdated,
  watchlistChanges,
} from './master-changes';
import { LoadMastersOptions, LoadMastersResult, MastersRepository } from './masters.repository';
import type { MasterKind } from './masters.types';

/** Account states that let the account be used (accounts.csv 状態). */
const VALID_ACCOUNT_STATES = ['有効'];

/**
 * Loads masters and records the load in the audit trail: what a new version
 * changes that could hide misuse (master-changes.ts) is alerted to the
 * 監査担当; any other load is recorded quietly. Every door that loads
 * masters (CLI, demo, console) goes through here.
 */
@Injectable()
export class MastersService {
  constructor(
    private readonly repo: MastersRepository,
    private readonly trail: AuditTrailService,
  ) {}

  async load(
    dir: string,
    options: LoadMastersOptions & { by: string; origin?: string },
  ): Promise<LoadMastersResult & { changes: MasterChanges }> {
    const result = await this.repo.load(dir, options);
    const loadDay = jstDay(options.now ?? new Date());
    const versions = new Map(result.loaded.map((l) => [l.master, l.version]));
    const pair = async <T>(kind: MasterKind): Promise<[T[], T[]]> => {
      const version = versions.get(kind);
      if (version === undefined) return [[], []];
      const previous = await this.repo.previousVersion(kind, version);
      return [previous ? await this.repo.rowsOf<T>(kind, previous) : [], await this.repo.rowsOf<T>(kind, version)];
    };
    const [wBefore, wAfter] = await pair<Parameters<typeof watchlistChanges>[0][number]>('watchlist');
    const [pBefore, pAfter] = await pair<Parameters<typeof permissionsWidened>[0][number]>('permissions');
    const [lBefore, lAfter] = await pair<Parameters<typeof leavesBackdated>[0][number]>('leaves');
    const [sBefore, sAfter] = await pair<Parameters<typeof retirementsBackdated>[0][number]>('staff');
    const [aBefore, aAfter] = await pair<Parameters<typeof accountsEnabled>[0][number]>('accounts');
    const [gBefore, gAfter] = await pair<Parameters<typeof assignmentsBackdated>[0][number]>('assignments');
    // The first version of a master replaces nothing: only later versions can take something away.
    const changes: MasterChanges = {
      watchlist: watchlistChanges(wBefore, wAfter),
      permissionsWidened: pBefore.length ? permissionsWidened(pBefore, pAfter) : [],
      leavesBackdated: lBefore.length ? leavesBackdated(lBefore, lAfter, loadDay) : [],
      retirementsBackdated: sBefore.length ? retirementsBackdated(sBefore, sAfter, loadDay) : [],
      accountsEnabled: accountsEnabled(aBefore, aAfter, VALID_ACCOUNT_STATES),
      assignmentsBackdated: gBefore.length ? assignmentsBackdated(gBefore, gAfter, loadDay) : [],
    };
    const loaded = result.loaded.map((l) => `${MASTER_TITLES[l.master]} ${l.master} v${l.version}`).join('、');
    await this.trail.record({
      kind: alarming(changes) ? 'masters' : 'masters-load',
      subject: result.loaded.map((l) => l.master).join(','),
      summary: `マスタを取り込みました（${loaded}）: ${describeMasterChanges(changes)}`,
      before: Object.fromEntries(result.loaded.map((l) => [l.master, l.version - 1])),
      after: { versions: Object.fromEntries(versions), effectiveFrom: result.loaded[0]?.effectiveFrom, changes },
      actor: options.by,
      origin: options.origin,
    });
    return { ...result, changes };
  }
}
