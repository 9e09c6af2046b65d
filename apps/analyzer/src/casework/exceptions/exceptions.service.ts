import { Inject, Injectable } from '@nestjs/common';
import { AuditTrailService } from '@kansa/audit-trail';
import { addDays } from '@kansa/calendar';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { jstDay, jstTimestamp } from '@kansa/domain';
import { MastersRepository } from '@kansa/masters';
import { CLOCK, Clock } from '../../core/clock';
import { RULE_CATALOG, RuleCatalog } from '../../detection/rule-catalog';
import { FindingsRepository } from '../../findings/findings.repository';
import { evidenceDaysOfAll } from '../../findings/evidence-days';
import type { FindingRecord } from '../../findings/findings.types';
import { CASEWORK_ID_SUFFIX, CaseworkIdSuffix } from '../casework-ids';
import { CaseworkRequestError } from '../casework-request.error';
import { checkException, covers, ExceptionRecord, needsEvidence } from './exception.model';
import { ExceptionsRepository, FindingFactsRepository } from './exceptions.repository';

/**
 * Approved exceptions (例外承認): recorded with who requested and who
 * approved them, versioned (an edit or a revocation is a new version, the
 * old ones stay readable), in the audit trail; applied to findings when they
 * are stored (AnalysisService) and to the findings already stored when an
 * exception changes. A covered finding is still stored — status 例外適用
 * with the exception's reference — never deleted, never hidden.
 */
@Injectable()
export class ExceptionsService {
  constructor(
    private readonly repo: ExceptionsRepository,
    private readonly facts: FindingFactsRepository,
    private readonly findings: FindingsRepository,
    private readonly masters: MastersRepository,
    private readonly trail: AuditTrailService,
    @Inject(KANSA_CONFIG) private readonly config: KansaConfig,
    @Inject(RULE_CATALOG) private readonly catalog: RuleCatalog,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CASEWORK_ID_SUFFIX) private readonly idSuffix: CaseworkIdSuffix,
  ) {}

  /** Approves a new exception (version 1); returns it with how many stored findings it now covers. */
  async add(input: unknown, by: string): Promise<{ exception: ExceptionRecord; findingsCovered: number }> {
    const e = this.check(input);
    const now = this.clock.now();
    const record: ExceptionRecord = {
      ...e,
      id: `EX-${jstDay(now).replaceAll('-', '')}-${this.idSuffix()}`,
      version: 1,
      state: 'active',
      changedAt: jstTimestamp(now),
      changedBy: requireBy(by),
      note: '',
    };
    await this.repo.insert(record);
    await this.audit('登録', undefined, record);
    return { exception: record, findingsCovered: await this.reapply(record.rule, record.validFrom, record.validTo) };
  }

  /** Approves a changed scope, period or threshold of an exception: a new version; the old one stays readable. */
  async edit(id: string, input: unknown, by: string): Promise<{ exception: ExceptionRecord; findingsCovered: number }> {
    const before = await this.current(id);
    const e = this.check(input);
    if (e.rule !== before.rule)
      throw new CaseworkRequestError(
        `rule: an exception keeps its rule (${before.rule}); approve a new one for another rule (ルールは変更できません)`,
      );
    const record: ExceptionRecord = {
      ...e,
      id,
      version: before.version + 1,
      state: 'active',
      changedAt: jstTimestamp(this.clock.now()),
      changedBy: requireBy(by),
      note: '',
    };
    await this.repo.insert(record);
    await this.audit('変更', before, record);
    const from = before.validFrom < record.validFrom ? before.validFrom : record.validFrom;
    const to = before.validTo > record.validTo ? before.validTo : record.validTo;
    return { exception: record, findingsCovered: await this.reapply(record.rule, from, to) };
  }

  /** Ends an exception before its time (a new version, revoked): the findings it covered are reported again. */
  async revoke(id: string, by: string, note: string): Promise<ExceptionRecord> {
    if (!note.trim()) throw new CaseworkRequestError('note: a reason is required to revoke an exception (取消の理由を記入してください)');
    const before = await this.current(id);
    const record: ExceptionRecord = {
      ...before,
      version: before.version + 1,
      state: 'revoked',
      changedAt: jstTimestamp(this.clock.now()),
      changedBy: requireBy(by),
      note: note.trim(),
    };
    await this.repo.insert(record);
    await this.audit('取消', before, record);
    await this.reapply(record.rule, record.validFrom, record.validTo);
    return record;
  }

  /** The latest version of every exception; `active` only those in force on `day` (default: any active one). */
  async list(filter: { state?: 'active' | 'revoked'; day?: string; rule?: string } = {}): Promise<ExceptionRecord[]> {
    return (await this.repo.latest(filter.rule)).filter(
      (x) => (!filter.state || x.state === filter.state) && (!filter.day || (x.validFrom <= filter.day && filter.day <= x.validTo)),
    );
  }

  /** Every version of an exception, oldest first. */
  async history(id: string): Promise<ExceptionRecord[]> {
    const versions = await this.repo.versions(id);
    if (versions.length === 0) throw new CaseworkRequestError(`no exception ${id} (例外承認が見つかりません)`, 'not-found');
    return versions;
  }

  /** Active exceptions ending within casework.exceptions.expiringWithinDays of `today` (listed on every run and in the report). */
  async expiring(today = jstDay(this.clock.now())): Promise<ExceptionRecord[]> {
    const until = addDays(today, this.config.casework.exceptions.expiringWithinDays);
    return (await this.list({ state: 'active' })).filter((x) => x.validTo >= today && x.validTo <= until);
  }

  /**
   * Marks each finding (of one rule, stored for days analysed against one
   * staff master version) with the active exception that covers it, or none.
   */
  async annotate(records: FindingRecord[], staffVersion: number): Promise<void> {
    if (records.length === 0) return;
    const rule = records[0].rule;
    const days = records.map((r) => r.day).sort();
    const exceptions = (await this.list({ state: 'active', rule })).filter(
      (x) => x.validFrom <= days[days.length - 1] && x.validTo >= days[0],
    );
    for (const r of records) r.exception = null;
    if (exceptions.length === 0) return;
    const departments = await this.facts.departments(staffVersion, [...new Set(records.map((r) => r.userId).filter(Boolean))]);
    const scope = exceptions.some(needsEvidence) ? await this.evidenceScope(records) : new Map();
    for (const r of records) {
      const events = r.evidenceIds.map((id) => scope.get(id)).filter((e) => e !== undefined);
      const facts = {
        rule,
        day: r.day,
        userId: r.userId,
        count: r.count,
        department: departments.get(r.userId) ?? '',
        sources: [...new Set(events.map((e) => e.source))],
        businessCodes: [...new Set(events.map((e) => e.businessCode))],
      };
      const x = exceptions.find((e) => covers(e, facts));
      r.exception = x ? { id: x.id, version: x.version, reference: x.reference } : null;
    }
  }

  /** Source and business code of the findings' evidence, searched in the days it lies in. */
  private evidenceScope(records: readonly FindingRecord[]): Promise<Map<string, { source: string; businessCode: string }>> {
    const spans = records.map((r) => ({ rule: r.rule, params: r.params, window: { from: r.windowFrom, to: r.windowTo } }));
    const { fromDay, toDay } = evidenceDaysOfAll(this.catalog, this.config.rules, spans)!;
    return this.facts.eventScope([...new Set(records.flatMap((r) => r.evidenceIds))], fromDay, toDay);
  }

  /** Judges the stored findings of a rule in a period again (an exception changed); returns how many an exception covers. */
  private async reapply(rule: string, fromDay: string, toDay: string): Promise<number> {
    const stored = await this.findings.list({ from: fromDay, to: toDay, rules: [rule] });
    const timeline = await this.masters.timeline();
    const byStaffVersion = new Map<number, FindingRecord[]>();
    for (const r of stored) {
      const v = timeline.versionsAt(r.day).staff;
      byStaffVersion.set(v, [...(byStaffVersion.get(v) ?? []), r]);
    }
    const now = jstTimestamp(this.clock.now());
    let covered = 0;
    for (const [version, records] of byStaffVersion) {
      const was = new Map(records.map((r) => [r.findingId, JSON.stringify(r.exception)]));
      await this.annotate(records, version);
      const changed = records.filter((r) => was.get(r.findingId) !== JSON.stringify(r.exception));
      await this.findings.upsert(changed.map((r) => ({ ...r, updatedAt: now })));
      covered += records.filter((r) => r.exception).length;
    }
    return covered;
  }

  private check(input: unknown) {
    return checkException(
      input,
      this.catalog.map((r) => r.id),
      this.config.casework.exceptions.maxDays,
    );
  }

  private async current(id: string): Promise<ExceptionRecord> {
    const versions = await this.history(id);
    const last = versions[versions.length - 1];
    if (last.state === 'revoked')
      throw new CaseworkRequestError(`exception ${id} was revoked on ${last.changedAt} by ${last.changedBy} (取消済みです)`, 'conflict');
    return last;
  }

  private async audit(action: string, before: ExceptionRecord | undefined, after: ExceptionRecord): Promise<void> {
    await this.trail.record({
      kind: 'exception',
      subject: after.id,
      summary:
        `例外承認 ${after.id} v${after.version} を${action}しました（${after.rule}、${after.validFrom}〜${after.validTo}、` +
        `決裁 ${after.reference}、申請 ${after.requestedBy}・承認 ${after.approvedBy}）`,
      before,
      after,
      actor: after.changedBy,
    });
  }
}

function requireBy(by: string): string {
  if (!by?.trim()) throw new CaseworkRequestError('by: who records it is required (記録者を指定してください)');
  return by.trim();
}
