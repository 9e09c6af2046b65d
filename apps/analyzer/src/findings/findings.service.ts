import { Inject, Injectable } from '@nestjs/common';
import { FINDING_STATUSES, FINDING_TRANSITIONS, FindingStatus } from '@kansa/domain';
import { CLOCK, Clock, jstTimestamp } from '../core/clock';
import { RULE_CATALOG, RuleCatalog } from '../detection/rule-catalog';
import { FindingNotFoundError, FindingTransitionError } from './findings.errors';
import { FindingRecord, FindingsRepository, StatusRecord } from './findings.repository';
import type { FindingFilter, FindingsServicePort, FindingTransitionView, FindingView } from './findings.types';

/** States that record a judgement: they need a comment saying why. */
const JUDGEMENTS: readonly FindingStatus[] = ['no_issue', 'action_required', 'false_positive'];

/** Findings as the CLI, API, alerts and report read them, and their triage. */
@Injectable()
export class FindingsService implements FindingsServicePort {
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
    const statuses = await this.repo.statuses([id]);
    return { ...this.toView(record, statuses.get(id)), history: await this.repo.history(id) };
  }

  async transition(id: string, to: FindingStatus, by: string, comment: string): Promise<FindingView> {
    if (!FINDING_STATUSES.includes(to)) {
      throw new FindingTransitionError(`unknown state "${to}"; one of ${FINDING_STATUSES.join(', ')} (状態が不正です)`);
    }
    if (!by?.trim()) throw new FindingTransitionError('who made the change is required (担当者を指定してください)');
    if (JUDGEMENTS.includes(to) && !comment?.trim()) {
      throw new FindingTransitionError(`a comment is required for ${to} (判断の理由をコメントに記入してください)`);
    }
    const current = await this.get(id);
    if (!current) throw new FindingNotFoundError(id);
    const allowed = FINDING_TRANSITIONS[current.status];
    if (!allowed.includes(to)) throw FindingTransitionError.notAllowed(id, current.status, to, allowed);
    // History is ordered by time: never record a change at or before the previous one.
    let at = this.clock.now().getTime();
    const last = current.history[current.history.length - 1];
    if (last) at = Math.max(at, Date.parse(last.at.replace(' ', 'T') + '+09:00') + 1);
    await this.repo.appendTransition({ findingId: id, at: jstTimestamp(new Date(at)), by: by.trim(), from: current.status, to, comment: comment ?? '' });
    const updated = await this.get(id);
    return stripHistory(updated!);
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
      status: s?.status ?? 'new',
      reviewedBy: s?.by ?? null,
      reviewedAt: s?.at ?? null,
      comment: s?.comment ?? null,
      detectedAt: r.detectedAt,
    };
  }
}

function stripHistory(v: FindingView & { history?: unknown }): FindingView {
  const { history: _history, ...view } = v;
  return view;
}
