import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { KANSA_CONFIG, KansaConfig, operationSourcesOf } from '@kansa/config';
import { FINDING_TRANSITIONS, FindingStatus, jstTimestamp, Severity, SOURCES, sourceOrder, sourceTitle } from '@kansa/domain';
import { AccountsService, ApiClient } from '@kansa/service-shell';
import { RULE_CATALOG, RuleCatalog } from '../detection/rule-catalog';
import { EventsRepository } from '../events/events.repository';
import { evidenceDays } from '../findings/evidence-days';
import { FINDINGS_SERVICE, FindingsServicePort } from '../findings/findings.types';
import { ConsoleFindingsRepository, FindingQuery, FindingStateRow } from './console-findings.repository';
import type { FindingDetail, FindingPage, FindingRow } from './console.schemas';
import { FindingScope, findingScopeOf, inScope, outOfScope } from './finding-scope';
import { ruleView } from './rule-views';

/** Evidence events shown with a finding (the rest are counted; 開示請求 search finds them all). */
const EVIDENCE_SHOWN = 200;

export type FindingListQuery = Omit<FindingQuery, 'scope' | 'offset' | 'limit'> & { page: number; pageSize: number };

/** The findings pages of the console: lists and details within the caller's scope, assignments. */
@Injectable()
export class ConsoleFindingsService {
  constructor(
    private readonly repo: ConsoleFindingsRepository,
    private readonly events: EventsRepository,
    private readonly accounts: AccountsService,
    @Inject(FINDINGS_SERVICE) private readonly findings: FindingsServicePort,
    @Inject(RULE_CATALOG) private readonly rules: RuleCatalog,
    @Inject(KANSA_CONFIG) private readonly config: KansaConfig,
  ) {}

  async page(client: ApiClient, q: FindingListQuery): Promise<FindingPage> {
    const { page, pageSize, ...filter } = q;
    const { total, rows } = await this.repo.page({
      ...filter,
      scope: findingScopeOf(client),
      offset: (page - 1) * pageSize,
      limit: pageSize,
    });
    return { total, page, pageSize, items: rows.map((r) => this.row(r)) };
  }

  /** One finding with everything its page shows; 404 when there is none, 403 outside a reviewer's scope. */
  async detail(client: ApiClient, id: string): Promise<FindingDetail> {
    const state = await this.stateOf(client, id);
    const found = await this.findings.get(id);
    if (!found) throw notFound(id);
    const { history, ...view } = found;
    const rule = this.rules.find((r) => r.id === view.rule);
    const evidenceIds = view.evidenceIds.slice(0, EVIDENCE_SHOWN);
    const { fromDay, toDay } = evidenceDays(this.rules, this.config.rules, view);
    const evidence = await this.events.byIds(evidenceIds, fromDay, toDay);
    const others = view.userId
      ? (await this.repo.page({ userId: view.userId, scope: findingScopeOf(client), limit: 50 })).rows.filter((r) => r.finding_id !== id)
      : [];
    return {
      finding: {
        ...this.row(state),
        details: view.details,
        params: view.params,
        evidenceTotal: view.evidenceTotal,
        ruleVersion: view.ruleVersion,
        window: view.window,
        detectedAt: view.detectedAt,
        comment: view.comment,
        status: view.status,
        reviewedBy: view.reviewedBy ?? '',
        reviewedAt: view.reviewedAt,
      },
      allowedTransitions: [...FINDING_TRANSITIONS[view.status]],
      history,
      rule: rule ? ruleView(rule, this.config.rules) : null,
      evidence: { matched: evidenceIds, total: view.evidenceTotal, events: evidence },
      otherFindings: others.map((r) => this.row(r)),
    };
  }

  /** The finding's row if the caller may see it: 404 when there is none, 403 outside a reviewer's scope. */
  async stateOf(client: ApiClient, id: string): Promise<FindingStateRow> {
    if (!/^[0-9a-f]{32}$/.test(id)) throw notFound(id);
    const [row] = (await this.repo.page({ ids: [id], scope: { all: true }, limit: 1 })).rows;
    if (!row) throw notFound(id);
    const scope: FindingScope = findingScopeOf(client);
    if (!inScope(scope, { assignee: row.assignee, departmentCode: row.department_code })) {
      throw outOfScope(
        'この検知は担当外です。担当に割り当てられた検知と、担当所属の職員の検知だけを表示できます (finding outside your departments)',
      );
    }
    return row;
  }

  /** The evidence event IDs of a finding (those stored with it) and the days they lie in; null when there is no such finding. */
  async evidenceOf(id: string): Promise<{ ids: string[]; fromDay: string; toDay: string } | null> {
    const found = await this.findings.get(id);
    return found && { ids: found.evidenceIds, ...evidenceDays(this.rules, this.config.rules, found) };
  }

  /** The IDs a caller may see among these (null: all of them). */
  async visibleIds(client: ApiClient, ids: readonly string[]): Promise<Set<string> | null> {
    const scope = findingScopeOf(client);
    if (scope.all) return null;
    const { rows } = await this.repo.page({ ids, scope, limit: ids.length || 1 });
    return new Set(rows.map((r) => r.finding_id));
  }

  /** Assigns findings to a person (or withdraws with ''); refuses IDs that do not exist, and assignees without an account that may triage. */
  async assign(client: ApiClient, ids: readonly string[], assignee: string, comment: string): Promise<{ assigned: number }> {
    const unique = [...new Set(ids)];
    const { rows } = await this.repo.page({ ids: unique, scope: { all: true }, limit: unique.length });
    const missing = unique.filter((id) => !rows.some((r) => r.finding_id === id));
    if (missing.length) throw notFound(missing[0]);
    if (assignee) {
      const person = (await this.accounts.list()).find((u) => u.name === assignee && !u.disabled);
      if (!person || !['officer', 'reviewer'].includes(person.role)) {
        throw new NotFoundException(`担当者 ${assignee} は確認できる利用者 (officer, reviewer) ではありません (no such reviewer)`);
      }
    }
    await this.repo.assign(unique, assignee, client.name, jstTimestamp(Date.now()), comment);
    return { assigned: unique.length };
  }

  /**
   * The choices of the findings page's filters. A reviewer is offered their own departments, not the whole city's
   * (findings assigned to them from another department are in the list when it is not filtered by department).
   */
  async options(client: ApiClient): Promise<{
    rules: Array<{ id: string; title: string }>;
    sources: Array<{ id: string; title: string }>;
    departments: Array<{ code: string; name: string }>;
    assignees: Array<{ name: string; role: string; departments: string[] }>;
  }> {
    const people = (await this.accounts.list()).filter((u) => !u.disabled && (u.role === 'officer' || u.role === 'reviewer'));
    const scope = findingScopeOf(client);
    return {
      rules: this.rules.map((r) => ({ id: r.id, title: r.title })),
      sources: [...new Set([...SOURCES, ...operationSourcesOf(this.config.sources)])]
        .sort(sourceOrder)
        .map((id) => ({ id, title: sourceTitle(id) })),
      departments: (await this.repo.departments()).filter((d) => scope.all || scope.departments.includes(d.code)),
      assignees: people.map((u) => ({ name: u.name, role: u.role, departments: u.departments })),
    };
  }

  row(r: FindingStateRow): FindingRow {
    return {
      id: r.finding_id,
      rule: r.rule,
      ruleTitle: this.rules.find((x) => x.id === r.rule)?.title ?? r.rule,
      severity: r.severity as Severity,
      day: r.day,
      userId: r.user_id,
      staffName: r.staff_name,
      departmentCode: r.department_code,
      departmentName: r.department_name,
      subject: r.subject,
      count: Number(r.count),
      summary: r.summary,
      firstAt: r.first_at,
      lastAt: r.last_at,
      status: r.status as FindingStatus,
      reviewedBy: r.reviewed_by,
      reviewedAt: r.reviewed_at,
      assignee: r.assignee,
      evidenceIds: r.evidence_ids,
    };
  }
}

function notFound(id: string): NotFoundException {
  return new NotFoundException(`検知 ${id} は見つかりません (finding not found)`);
}
