import type { FindingStatus } from '@kansa/domain';
import { FINDING_STATUS_TITLES } from '@kansa/domain';

export class FindingNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`finding ${id} not found (検知 ${id} は見つかりません)`);
  }
}

/** A triage change that lacks who/why or names an unknown state (the request itself is wrong). */
export class FindingTransitionError extends Error {}

/** A finding's triage state as a refused reviewer is told it: the state, who set it and when. */
export interface CurrentTriageState {
  status: FindingStatus;
  reviewedBy: string | null;
  reviewedAt: string | null;
  comment: string | null;
}

/**
 * A triage change the finding's current state does not allow: either the
 * state machine does not lead there from it, or another reviewer changed the
 * finding at the same moment and won. Carries the current state (HTTP 409).
 */
export class FindingConflictError extends Error {
  private constructor(
    readonly id: string,
    readonly current: CurrentTriageState,
    message: string,
  ) {
    super(message);
  }

  static notAllowed(id: string, to: FindingStatus, current: CurrentTriageState, allowed: readonly FindingStatus[]): FindingConflictError {
    const from = current.status;
    const next = allowed.length ? allowed.join(', ') : 'none';
    return new FindingConflictError(
      id,
      current,
      `finding ${id}: cannot change ${from} → ${to}; allowed from ${from}: ${next}; ${describe(current)} ` +
        `(「${FINDING_STATUS_TITLES[from]}」から「${FINDING_STATUS_TITLES[to]}」へは変更できません。${describeJa(current)})`,
    );
  }

  /** Another writer took the same place in the history first. */
  static lost(id: string, to: FindingStatus, current: CurrentTriageState): FindingConflictError {
    return new FindingConflictError(
      id,
      current,
      `finding ${id}: changed by someone else at the same time, not changed to ${to}; ${describe(current)} ` +
        `(同時に他の担当者が変更したため「${FINDING_STATUS_TITLES[to]}」にはしませんでした。${describeJa(current)})`,
    );
  }
}

function describe(s: CurrentTriageState): string {
  return s.reviewedBy ? `now ${s.status} by ${s.reviewedBy} at ${s.reviewedAt}` : `now ${s.status}`;
}

function describeJa(s: CurrentTriageState): string {
  return `現在の状態: ${FINDING_STATUS_TITLES[s.status]}${s.reviewedBy ? `（${s.reviewedBy}、${s.reviewedAt}）` : ''}`;
}
