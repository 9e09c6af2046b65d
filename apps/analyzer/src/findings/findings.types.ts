import type { FindingStatus, Severity } from '@kansa/domain';

/** A finding as stored (one row of `findings`, latest version). */
export interface FindingRecord {
  findingId: string;
  rule: string;
  ruleVersion: number;
  severity: Severity;
  day: string;
  userId: string;
  subject: string;
  count: number;
  firstAt: string | null;
  lastAt: string | null;
  summary: string;
  details: Record<string, unknown>;
  evidenceIds: string[];
  evidenceTotal: number;
  params: Record<string, unknown>;
  windowFrom: string;
  windowTo: string;
  runId: string;
  detectedAt: string;
  updatedAt: string;
  /** The approved exception that covers it ('' when none): 例外適用 until a person reviews it. */
  exception: FindingException | null;
}

/** The exception a finding falls under, as applied: its ID, version and reference (決裁番号). */
export interface FindingException {
  id: string;
  version: number;
  reference: string;
}

/** A finding as the CLI (`kansa findings --json`), API and report see it: the stored finding, its rule's title and its triage state. */
export type FindingView = Omit<FindingRecord, 'findingId' | 'windowFrom' | 'windowTo' | 'runId' | 'updatedAt'> & {
  id: string;
  ruleTitle: string;
  window: { from: string; to: string };
  status: FindingStatus;
  /** Latest triage: who and when, and the comment. */
  reviewedBy: string | null;
  reviewedAt: string | null;
  comment: string | null;
};

export interface FindingTransitionView {
  at: string;
  by: string;
  from: FindingStatus;
  to: FindingStatus;
  comment: string;
}

export interface FindingFilter {
  from?: string;
  to?: string;
  rules?: string[];
  statuses?: FindingStatus[];
  userId?: string;
  limit?: number;
}

/** Nest injection token of the FindingsService. */
export const FINDINGS_SERVICE = Symbol('FINDINGS_SERVICE');

export interface FindingsServicePort {
  list(filter: FindingFilter): Promise<FindingView[]>;
  get(id: string): Promise<(FindingView & { history: FindingTransitionView[] }) | null>;
  /** Applies a triage transition; throws a clear error for a transition not allowed from the current state. */
  transition(id: string, to: FindingStatus, by: string, comment: string): Promise<FindingView>;
}
