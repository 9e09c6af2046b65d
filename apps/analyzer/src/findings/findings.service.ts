import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { FINDING_STATUSES, FINDING_TRANSITIONS, FindingStatus, parseJstTimestamp, untriagedStatus } from '@kansa/domain';
import { CLOCK, Clock, jstTimestamp } from '../core/clock';
import { RULE_CATALOG, RuleCatalog } from '../detection/rule-catalog';
import { CurrentTriageState, FindingConflictError, FindingNotFoundError, FindingTransitionError } from './findings.errors';
import { FindingRecord, FindingsRepository, StatusRecord } from './findings.repository';
import { KeyedQueue } from '../core/keyed-queue';
import type { FindingFilter, FindingsServicePort, FindingTransitionView, FindingView } from './findings.types';

/** States that record a judgement: they need a comment saying why. */
const JUDGEMENTS: readonly FindingStatus[] = ['no_issue', 'action_required', 'false_positive'];

/** Findings as the CLI, API, alerts and report read them, and their triage. */
@Injectable()
export class FindingsService implements FindingsServicePort {
  /** Triage of one finding runs one request at a time in this process. */
  private readonly triage = new KeyedQueue();

  constructor(
    private readonly repo: FindingsRepository,
    @Inject(RULE_CATALOG) private readonly rules: RuleCatalog,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async list(filter: FindingFilter): Promise<FindingView[]> {
    const records = await this.repo.list(filter);
    const statuses = await this.repo.statuses(records.length > 2000 ? 'all' : records.map((r) => r.findingId));
    let views = records.map((r) => this.toView(r, statuses.get(r.findingId)));
    if (filter.statuses?.length) views = views.filter((v) => filter.statuses!.includes(v.status));
    return filter.limit ? views.slice(0, filter.limit) : views;
  }

  async get(id: string): Promise<(FindingView & { history: FindingTransitionView[] }) | null> {
    if (!/^[0-9a-f]{32}$/.test(id)) return null;
    const [record] = await this.repo.list({}, [id]);
    if (!record) return null;
    // State and history from one read, so that they always agree (the state is the last transition).
    const history = (await this.repo.history(id)).map(({ at, by, from, to, comment }) => ({ at, by, from, to, comment }));
    const last = history[history.length - 1];
    return { ...this.toView(record, last && { status: last.to, by: last.by, at: last.at, comment: last.comment }), history };
  }

  /**
   * Applies a triage transition as a compare-and-set: exactly one of several
   * reviewers changing a finding at once wins, the others get a
   * FindingConflictError with the state the winner left (docs/analyzer.md
   * "Concurrent triage"). In this process the requests of one finding run one
   * after another; across processes the place in the history decides.
   */
  async transition(id: string, to: FindingStatus, by: string, comment: string): Promise<FindingView> {
    if (!FINDING_STATUSES.includes(to)) {
      throw new FindingTransitionError(`unknown state "${to}"; one of ${FINDING_STATUSES.join(', ')} (状態が不正です)`);
    }
    if (!by?.trim()) throw new FindingTransitionError('who made the change is required (担当者を指定してください)');
    if (JUDGEMENTS.includes(to) && !comment?.trim()) {
      throw new FindingTransitionError(`a comment is required for ${to} (判断の理由をコメントに記入してください)`);
    }
    return this.triage.run(id, () => this.compareAndSet(id, to, by.trim(), comment ?? ''));
  }

  private async compareAndSet(id: string, to: FindingStatus, by: string, comment: string): Promise<FindingView> {
    const current = await this.get(id);
    if (!current) throw new FindingNotFoundError(id);
    const allowed = FINDING_TRANSITIONS[current.status];
    if (!allowed.includes(to)) throw FindingConflictError.notAllowed(id, to, triageState(current), allowed);
    // History is ordered by time too: never record a change at or before the previous one.
    let at = this.clock.now().getTime();
    const last = current.history[current.history.length - 1];
    if (last) at = Math.max(at, parseJstTimestamp(last.at) + 1);
    const won = await this.repo.appendTransition({
      findingId: id,
      seq: current.history.length + 1,
      transitionId: randomUUID(),
      at: jstTimestamp(new Date(at)),
      by,
      from: current.status,
      to,
      comment,
    });
    const updated = (await this.get(id))!;
    if (!won) throw FindingConflictError.lost(id, to, triageState(updated));
    return stripHistory(updated);
  }

  private toView(r: FindingRecord, s: StatusRecord | undefined): FindingView {
    const rule = this.rules.find((x) => x.id === r.rule);
    return {
      id: r.findingId,
      rule: r.rule,
      ruleTitle: rule?.title ?? r.rule,
      ruleVersion: r.ruleVersion,
      severity: r.severity,
      day: r.day,
      userId: r.userId,
      subject: r.subject,
      count: r.count,
      firstAt: r.firstAt,
      lastAt: r.lastAt,
      summary: r.summary,
      details: r.details,
      evidenceIds: r.evidenceIds,
      evidenceTotal: r.evidenceTotal,
      params: r.params,
      window: { from: r.windowFrom, to: r.windowTo },
      status: s?.status ?? untriagedStatus(r.exception?.id ?? ''),
      reviewedBy: s?.by ?? null,
      reviewedAt: s?.at ?? null,
      comment: s?.comment ?? null,
      detectedAt: r.detectedAt,
      exception: r.exception,
    };
  }
}

function triageState(v: FindingView): CurrentTriageState {
  return { status: v.status, reviewedBy: v.reviewedBy, reviewedAt: v.reviewedAt, comment: v.comment };
}

function stripHistory(v: FindingView & { history?: unknown }): FindingView {
  const { history: _history, ...view } = v;
  return view;
}
