import { Inject, Injectable } from '@nestjs/common';
import { addMonths, monthRange } from '@kansa/calendar';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { jstDay, jstTimestamp, parseJstTimestamp } from '@kansa/domain';
import { getRule } from '@kansa/rules';
import { CLOCK, Clock } from '../../core/clock';
import { KeyedQueue } from '../../core/keyed-queue';
import { FindingsService } from '../../findings/findings.service';
import { Case, CASE_STATE_TITLES, CASE_TRANSITIONS, CaseEvent, CaseState, foldCase, RepeatPattern, repeatPatterns } from './case.model';
import { CASEWORK_ID_SUFFIX, CaseworkIdSuffix } from '../casework-ids';
import { CaseworkRequestError } from '../casework-request.error';
import { CasesRepository } from './cases.repository';

/** Findings that do not make a person a repeat pattern: judged false positives, and planned (excepted) ones. */
const NOT_COUNTED = new Set(['false_positive', 'excepted']);

/**
 * 事案: an officer follows a staff member's findings across rules and months
 * as one case — opened, investigated, closed with an outcome — with notes,
 * linked findings and a timeline; and the repeat patterns (継続監視対象)
 * that say whom to keep watching, with the reason (docs/casework.md).
 */
@Injectable()
export class CasesService {
  /** Changes to one case run one after another in this process; across processes a place in its events decides. */
  private readonly queue = new KeyedQueue();

  constructor(
    private readonly repo: CasesRepository,
    private readonly findings: FindingsService,
    @Inject(KANSA_CONFIG) private readonly config: KansaConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CASEWORK_ID_SUFFIX) private readonly idSuffix: CaseworkIdSuffix,
  ) {}

  async open(input: { userId: string; title: string; owner: string; by: string; findingIds?: string[] }): Promise<Case> {
    const userId = required(input.userId, 'userId', '職員IDを指定してください');
    const title = required(input.title, 'title', '件名を記入してください');
    const by = required(input.by, 'by', '記録者を指定してください');
    const id = `CASE-${jstDay(this.clock.now()).replaceAll('-', '')}-${this.idSuffix()}`;
    await this.checkFindings(input.findingIds ?? [], userId);
    const opened = await this.repo.append(
      this.event(id, 1, by, { kind: 'opened', userId, title, state: 'open', owner: input.owner?.trim() || by }),
    );
    if (!opened) throw new CaseworkRequestError(`case ${id} could not be opened; try again`, 'conflict');
    for (const f of input.findingIds ?? []) await this.change(id, by, { kind: 'link', findingId: f });
    return this.get(id);
  }

  async get(id: string): Promise<Case> {
    const events = await this.repo.events(id);
    if (events.length === 0) throw new CaseworkRequestError(`no case ${id} (事案が見つかりません)`, 'not-found');
    return foldCase(events);
  }

  async list(filter: { state?: CaseState; userId?: string } = {}): Promise<Case[]> {
    const events = await this.repo.all(filter.userId);
    const byCase = new Map<string, CaseEvent[]>();
    for (const e of events) byCase.set(e.caseId, [...(byCase.get(e.caseId) ?? []), e]);
    return [...byCase.values()]
      .map(foldCase)
      .filter((c) => !filter.state || c.state === filter.state)
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  }

  async note(id: string, text: string, by: string): Promise<Case> {
    return this.change(id, by, { kind: 'note', text: required(text, 'text', 'メモを記入してください') });
  }

  async setOwner(id: string, owner: string, by: string): Promise<Case> {
    return this.change(id, by, { kind: 'owner', owner: required(owner, 'owner', '担当者を指定してください') });
  }

  async link(id: string, findingIds: string[], by: string): Promise<Case> {
    const current = await this.get(id);
    await this.checkFindings(findingIds, current.userId);
    for (const f of findingIds.filter((f) => !current.findingIds.includes(f))) await this.change(id, by, { kind: 'link', findingId: f });
    return this.get(id);
  }

  async unlink(id: string, findingId: string, by: string): Promise<Case> {
    return this.change(id, by, { kind: 'unlink', findingId });
  }

  /** Moves a case to a state; closing needs the outcome. A change the current state does not allow is a conflict naming it. */
  async setState(id: string, to: CaseState, by: string, outcome = ''): Promise<Case> {
    if (!(to in CASE_STATE_TITLES))
      throw new CaseworkRequestError(`unknown state "${to}"; one of ${Object.keys(CASE_STATE_TITLES).join(', ')} (状態が不正です)`);
    if (to === 'closed' && !outcome.trim())
      throw new CaseworkRequestError('outcome: the outcome is required to close a case (結果を記入してください)');
    return this.change(id, by, { kind: 'state', state: to, text: outcome.trim() }, (c) => {
      if (!CASE_TRANSITIONS[c.state].includes(to)) {
        throw new CaseworkRequestError(
          `case ${id} is ${CASE_STATE_TITLES[c.state]} (${c.state}): cannot go to ${to} (この状態からは変更できません)`,
          'conflict',
        );
      }
    });
  }

  /** Repeat patterns as of a month (YYYY-MM), with the open cases of each person. */
  async patterns(month: string): Promise<RepeatPattern[]> {
    const settings = this.config.casework.repeat;
    const first = monthRange(addMonths(month, -(settings.window - 1))).from;
    const last = monthRange(month).to;
    const found = (await this.findings.list({ from: first, to: last })).filter((f) => !NOT_COUNTED.has(f.status));
    const open = (await this.list()).filter((c) => c.state !== 'closed');
    return repeatPatterns(found, month, settings, (rule) => getRule(rule)?.title ?? rule).map((p) => ({
      ...p,
      openCases: open.filter((c) => c.userId === p.userId).map((c) => c.id),
    }));
  }

  /** Appends an event at the next place, after `check` on the current case; retries once when another writer took the place. */
  private async change(
    id: string,
    by: string,
    fields: Partial<CaseEvent> & { kind: CaseEvent['kind'] },
    check?: (c: Case) => void,
  ): Promise<Case> {
    required(by, 'by', '記録者を指定してください');
    return this.queue.run(id, async () => {
      for (let attempt = 0; attempt < 2; attempt++) {
        const current = await this.get(id);
        check?.(current);
        const last = current.timeline[current.timeline.length - 1];
        if (await this.repo.append(this.event(id, last.seq + 1, by, { userId: current.userId, ...fields }, last.at))) return this.get(id);
      }
      throw new CaseworkRequestError(`case ${id} changed meanwhile; try again (他の担当者が同時に更新しました)`, 'conflict');
    });
  }

  private event(
    caseId: string,
    seq: number,
    by: string,
    fields: Partial<CaseEvent> & { kind: CaseEvent['kind'] },
    after?: string,
  ): CaseEvent {
    // The timeline is ordered by time too: never an event at or before the previous one.
    let at = this.clock.now().getTime();
    if (after) at = Math.max(at, parseJstTimestamp(after) + 1);
    return {
      caseId,
      seq,
      at: jstTimestamp(at),
      by: by.trim(),
      userId: '',
      title: '',
      state: '',
      owner: '',
      text: '',
      findingId: '',
      ...fields,
    };
  }

  /** Findings linked to a person's case must be that person's. */
  private async checkFindings(ids: readonly string[], userId: string): Promise<void> {
    for (const id of ids) {
      const f = await this.findings.get(id);
      if (!f) throw new CaseworkRequestError(`no finding ${id} (検知結果が見つかりません)`, 'not-found');
      if (f.userId !== userId)
        throw new CaseworkRequestError(`finding ${id} is of ${f.userId || '(no user)'}, not ${userId} (この職員の検知結果ではありません)`);
    }
  }
}

function required(value: string | undefined, field: string, ja: string): string {
  if (!value?.trim()) throw new CaseworkRequestError(`${field}: required (${ja})`);
  return value.trim();
}
