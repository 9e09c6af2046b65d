import type { FindingStatus } from '@kansa/domain';
import { FINDING_STATUS_TITLES } from '@kansa/domain';

export class FindingNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`finding ${id} not found (指摘 ${id} は見つかりません)`);
  }
}

/** A triage change that the state machine does not allow, or that lacks who/why. */
export class FindingTransitionError extends Error {
  static notAllowed(id: string, from: FindingStatus, to: FindingStatus, allowed: readonly FindingStatus[]): FindingTransitionError {
    const next = allowed.length ? allowed.join(', ') : 'none';
    return new FindingTransitionError(
      `finding ${id}: cannot change ${from} → ${to}; allowed from ${from}: ${next} ` +
        `(「${FINDING_STATUS_TITLES[from]}」から「${FINDING_STATUS_TITLES[to]}」へは変更できません)`,
    );
  }
}
