import { Inject, Injectable, Optional } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { businessRecordSources, KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { addDays, eachDay } from '@kansa/calendar';
import { AUDIT_KIND_TITLES, FINDING_STATUS_TITLES, FindingStatus, SEVERITY_TITLES, sourceOrder, sourceTitle } from '@kansa/domain';
import { AnyRuleDefinition, FLAG_KINDS, Judgement, JUDGED, judgement, resolveRuleParams } from '@kansa/rules';
import { AccessAuditRepository } from '@kansa/service-shell/access-audit.repository';
import { AUDIT_KINDS, AuditChange, AuditTrailService } from '@kansa/audit-trail';
import { Case, CASE_STATE_TITLES, RepeatPattern } from '../../casework/cases/case.model';
import type { ExceptionRecord } from '../../casework/exceptions/exception.model';
import { CasesService } from '../../casework/cases/cases.service';
import { ExceptionsService } from '../../casework/exceptions/exceptions.service';
import { ExplanationsService, MonthExplanations } from '../../explanations/explanations.service';
import { CLOCK, Clock, jstTimestamp, systemClock } from '../../core/clock';
import { AnalysisService } from '../../detection/analysis.service';
import { RULE_CATALOG, RuleCatalog } from '../../detection/rule-catalog';
import { accountReview, absences } from '../model/account-review';
import { monthWindow } from '../model/month-window';
import { accessCounts, buildIntake } from '../model/coverage';
import { verification } from '../model/integrity';
import { buildScope, completeness, unanalysedDays } from '../model/report-scope';
import { reportStatus, reviewProgress } from '../model/report-status';
import { buildTrend, severityRank, summarise, trendMonths } from '../model/report-summary';
import type { Casework, Explanations, FindingRow, MonthlyReport, RuleResultRow, RuleRow } from '../model/report.model';
import { FindingQueryRow, MonthWindow, ReportDataRepository } from './report-data.repository';

export { monthWindow };

const DECISIONS: readonly FindingStatus[] = ['no_issue', 'action_required', 'false_positive'];

/** The decision a finding stands at: new/reviewing while undecided; a closed finding keeps the decision it closed. */
function outcomeOf(f: FindingQueryRow): FindingStatus {
  const status = f.status as FindingStatus;
  if (status === 'closed') return (f.decision as FindingStatus) || 'closed';
  return status;
}

function statusTitle(status: FindingStatus, outcome: FindingStatus): string {
  if (status === 'closed' && DECISIONS.includes(outcome)) return `${FINDING_STATUS_TITLES.closed}（${FINDING_STATUS_TITLES[outcome]}）`;
  return FINDING_STATUS_TITLES[status] ?? status;
}

/** Gathers the month from the database into one MonthlyReport. */
@Injectable()
export class ReportBuilderService {
  constructor(
    private readonly data: ReportDataRepository,
    private readonly analysis: AnalysisService,
    @Inject(KANSA_CONFIG) private readonly config: KansaConfig,
    @Inject(RULE_CATALOG) private readonly catalog: RuleCatalog,
    @Optional() @Inject(CLOCK) private readonly clock: Clock | null,
    @Optional() @Inject(AccessAuditRepository) private readonly audit: AccessAuditRepository | null,
    @Optional() @Inject(CasesService) private readonly cases: CasesService | null,
    @Optional() @Inject(ExceptionsService) private readonly exceptions: ExceptionsService | null,
    @Optional() @Inject(AuditTrailService) private readonly trail: AuditTrailService | null,
    @Optional() @Inject(ExplanationsService) private readonly explained: ExplanationsService | null,
  ) {}

  async build(month: string): Promise<MonthlyReport> {
    const w = monthWindow(month);
    const settings = this.config.report;
    const now = (this.clock ?? systemClock).now();
    const madeAt = jstTimestamp(now).slice(0, 16);
    const today = madeAt.slice(0, 10);
    const year = { from: `${trendMonths(month)[0]}-01`, to: w.to };
    const [versions, firstDays, daily, runs, ledger, findingRows, carriedRows, heat, top, chains] = await Promise.all([
      this.data.masterVersions(w.to),
      this.data.firstDays(),
      this.data.dailyCounts(w),
      this.data.runs(w),
      this.data.ledger(w),
      this.data.findings(w),
      this.data.carriedOver(w),
      this.data.heatmap(w),
      this.data.topUsers(w, settings.topUsers),
      this.data.chainHeads(w),
    ]);
    const [actions, counts, analysedMonths, intakeRows, reasons, setAside, check, finalisation] = await Promise.all([
      this.data.actionCounts(w),
      this.data.findingCounts(year),
      this.data.analysedMonths(year),
      this.data.intake(w),
      this.data.rejectedReasons(w),
      this.data.setAsideWaiting(),
      this.data.latestCheck(),
      this.data.latestFinalisation(month),
    ]);
    const usage = this.audit ? await this.audit.monthSummary(w.from, w.to) : [];
    const [overrides, staff, accounts, leaves] = await Promise.all([
      this.data.calendarOverrides(versions.calendar),
      this.data.staff(versions.staff),
      this.data.accounts(versions.accounts),
      this.data.leaves(versions.leaves),
    ]);
    const excusedRows = await this.analysis.excused(w.from, w.to);
    const [openCases, patterns, exceptions, expiring, changes, explanations] = await Promise.all([
      this.cases ? this.cases.list().then((list) => list.filter((c) => c.state !== 'closed')) : [],
      this.cases ? this.cases.patterns(month) : [],
      this.exceptions ? this.exceptions.list({ state: 'active' }) : [],
      this.exceptions ? this.exceptions.expiring(today) : [],
      this.trail ? this.trail.list({ fromDay: w.from, toDay: w.to }) : [],
      this.explained ? this.explained.month(month) : null,
    ]);
    const staffById = new Map(staff.map((s) => [s.staff_id, s]));
    const staffOfAccount = new Map(accounts.map((a) => [a.account_id, a.staff_id]));
    const person = (userId: string) => staffById.get(userId) ?? staffById.get(staffOfAccount.get(userId) ?? '');
    const department = (userId: string, fallbackCode = '') => {
      const s = person(userId);
      return s ? s.department_name || s.department_code : fallbackCode;
    };

    // Coverage: what was stored per day, how lines became events, the calendar, what is missing.
    const intake = buildIntake({
      batches: intakeRows.map((b) => ({
        source: b.source,
        batches: Number(b.batches),
        read: Number(b.read),
        stored: Number(b.stored),
        duplicates: Number(b.duplicates),
        quarantined: Number(b.quarantined),
      })),
      reasons: reasons.map((r) => ({ ...r, n: Number(r.n) })),
      setAside: setAside.map((s) => ({ ...s, lines: Number(s.lines) })),
      eventsOfMonth: daily.reduce((a, d) => a + Number(d.n), 0),
    });
    // The sources that have ever sent events (a source never connected is not "missing"), and the first day of any.
    const known = firstDays.map((f) => f.source).sort();
    const firstEventDay = firstDays.reduce<string | null>((first, f) => (first === null || f.d < first ? f.d : first), null);
    const scope = buildScope({ window: w, today, knownSources: known, daily, overrides: overrides.map((o) => ({ date: o.date, kind: o.kind, note: o.note })) });
    const unanalysed = unanalysedDays(w, today, ledger, this.catalog.length ? this.catalog.map((r) => r.id) : null);
    const waiting = intake.setAside.length
      ? [`取込を保留しているバッチが ${intake.setAside.length} 件あります。その行は保存されておらず、分析に含まれていません。`]
      : [];
    const complete = completeness(w, today, madeAt, scope, unanalysed, waiting);

    // Rules: the catalogue, the ledger and what the findings carry; each as a sentence, with its judgement.
    const ruleIds = new Set<string>([...this.catalog.map((r) => r.id), ...ledger.map((l) => l.rule), ...findingRows.map((f) => f.rule)]);
    const byId = new Map(this.catalog.map((r) => [r.id, r]));
    const ledgerByRule = new Map(ledger.map((l) => [l.rule, l]));
    const applied = new Map<string, string>();
    for (const f of findingRows) if (!applied.has(f.rule) && f.params) applied.set(f.rule, f.params);
    // How far back the operation logs reach, for the rules that need history: business records are none.
    const records = businessRecordSources(this.config.sources);
    const firstDayOf = Object.fromEntries(firstDays.filter((f) => !records.includes(f.source)).map((f) => [f.source, f.d]));
    const lastDay = w.to < today ? w.to : addDays(today, -1);
    const expectedDays = lastDay < w.from ? 0 : eachDay(w.from, lastDay).length;
    const severityTitle = (s: string) => (SEVERITY_TITLES as Record<string, string>)[s] ?? s;
    const judgements = new Map<string, Judgement>();
    const rules: RuleRow[] = [...ruleIds]
      .sort((a, b) => catalogIndex(this.catalog, a) - catalogIndex(this.catalog, b) || a.localeCompare(b))
      .map((id) => {
        const def = byId.get(id);
        const params = def ? this.paramsOf(def, applied.get(id)) : null;
        const j = def && params ? judgement(def, params, { fromDay: w.from, toDay: w.to }, firstDayOf) : JUDGED;
        judgements.set(id, j);
        const days = ledgerByRule.get(id)?.days.length ?? 0;
        return {
          id,
          title: def?.title ?? id,
          severity: severityTitle(def?.severity ?? findingRows.find((f) => f.rule === id)?.severity ?? ''),
          version: def?.version ?? ledgerByRule.get(id)?.version ?? null,
          guideline: def?.guideline ?? '',
          sentence: def && params ? def.explain.sentence(params, { hours: this.config.calendar.businessHours }) : '',
          countOf: def?.explain.count.of ?? '件数',
          unit: def?.explain.count.unit ?? '',
          daysAnalysed: days,
          judgement: j.state,
          state: ruleState(j, days, expectedDays),
        };
      });
    const ruleById = new Map(rules.map((r) => [r.id, r]));

    const toRow = (f: FindingQueryRow): FindingRow => {
      const status = f.status as FindingStatus;
      const outcome = outcomeOf(f);
      const decided = DECISIONS.includes(outcome);
      const s = person(f.user_id);
      const severity = severityTitle(f.severity);
      return {
        id: f.finding_id,
        day: f.day,
        time: f.first_at ?? '',
        userId: f.user_id,
        name: s?.name ?? '',
        department: s ? s.department_name || s.department_code : '',
        rule: f.rule,
        ruleTitle: ruleById.get(f.rule)?.title ?? f.rule,
        severity,
        severityRank: severityRank(severity),
        summary: f.summary,
        count: Number(f.count),
        unit: ruleById.get(f.rule)?.unit ?? '',
        status,
        outcome,
        statusTitle: statusTitle(status, outcome),
        reviewer: decided ? f.decision_by : f.last_by,
        reviewedAt: decided ? f.decision_at : f.last_at,
        comment: decided ? [f.decision_comment, f.close_comment].filter(Boolean).join('／') : f.last_comment,
      };
    };
    const findings = findingRows.map(toRow);
    const ruleResults: RuleResultRow[] = rules.map((r) => {
      const p = reviewProgress(findings.filter((f) => f.rule === r.id));
      return {
        rule: r.id,
        title: r.title,
        severity: r.severity,
        found: p.found,
        new: p.new,
        reviewing: p.reviewing,
        noIssue: p.noIssue,
        actionRequired: p.actionRequired,
        falsePositive: p.falsePositive,
        excepted: p.excepted,
        open: p.undecided,
        judgement: r.judgement,
        note: r.judgement === 'judged' ? '' : r.state,
      };
    });
    const review = reviewProgress(findings);
    const status = reportStatus(
      review,
      findings.filter((f) => f.outcome === 'new' || f.outcome === 'reviewing').map((f) => f.id),
      finalisation,
      { over: today > w.to, unanalysedDays: unanalysed.length },
    );

    // Account review: absentees' IDs (use while absent) and the unused IDs the unused-account rule found.
    const reviewInput = { window: w, staff, accounts, leaves, longLeaveDays: settings.longLeaveDays };
    const absent = absences(reviewInput);
    const watched = new Set(absent.flatMap((a) => [a.staffId, ...accounts.filter((x) => x.staff_id === a.staffId).map((x) => x.account_id)]));
    const activity = (await this.data.eventsPerUserDay(w, [...watched])).map((r) => ({ source: r.source, user_id: r.user_id, day: r.d, n: Number(r.n) }));
    const unusedRule = ruleById.get('unused-account');
    const unusedParams = byId.has('unused-account') ? (this.paramsOf(byId.get('unused-account')!, applied.get('unused-account')) as { days?: number }) : {};
    const accountsReview = accountReview({
      ...reviewInput,
      activity,
      unusedDays: unusedParams?.days ?? settings.unusedDays,
      unused: findings
        .filter((f) => f.rule === 'unused-account')
        .map((f) => {
          const d = parseDetails(findingRows.find((x) => x.finding_id === f.id)?.details);
          return {
            system: String(d.system ?? f.id),
            accountId: String(d.accountId ?? ''),
            staffId: f.userId,
            lastUsed: typeof d.lastUsed === 'string' ? d.lastUsed : '',
            statusTitle: f.statusTitle,
          };
        }),
      unusedJudgement: unusedRule?.judgement ?? 'judged',
      unusedState: unusedRule ? unusedRuleNote(unusedRule) : '長期未使用IDのルールは適用されていません。',
      systemTitle: sourceTitle,
    });

    // Access statistics (charts) and what they count.
    const heatmap = Array.from({ length: 7 }, () => Array<number>(24).fill(0));
    for (const h of heat) heatmap[Number(h.dow) - 1][Number(h.h)] = Number(h.n);
    const topUsers = top.map((t) => ({ userId: t.user_id, name: person(t.user_id)?.name ?? '', department: department(t.user_id, t.department_code), count: Number(t.n) }));
    const offHours = new Map<string, { departmentCode: string; department: string; findings: number; events: number }>();
    for (const f of findingRows.filter((x) => x.rule === 'off-hours')) {
      const s = person(f.user_id);
      const code = s?.department_code ?? '';
      const e = offHours.get(code) ?? { departmentCode: code, department: s ? s.department_name || code : '（所属不明）', findings: 0, events: 0 };
      e.findings += 1;
      e.events += Number(f.count);
      offHours.set(code, e);
    }

    const chainHeads = [...chains]
      .sort((a, b) => sourceOrder(a.source, b.source) || a.writer.localeCompare(b.writer))
      .map((c) => ({
        source: c.source,
        // With a ClickHouse server each collector process keeps its own chain: named after its writer.
        sourceTitle: c.writer ? `${sourceTitle(c.source)}（${c.writer}）` : sourceTitle(c.source),
        writer: c.writer,
        seq: Number(c.head_seq),
        chainHash: c.head_hash,
        lastImport: c.last_import,
        monthBatches: Number(c.month_batches),
        monthSeqFrom: Number(c.month_batches) ? Number(c.month_from) : 0,
        monthSeqTo: Number(c.month_batches) ? Number(c.month_to) : 0,
      }));

    const parts = {
      month,
      period: w,
      scope: { ...scope, firstEventDay },
      intake,
      rules,
      findings,
      review,
      status,
      carriedOver: carriedRows.map(toRow),
      accountReview: accountsReview,
      completeness: complete,
      casework: caseworkOf({
        window: w,
        openCases,
        patterns,
        exceptions,
        expiring,
        expiringWithinDays: this.config.casework.exceptions.expiringWithinDays,
        changes,
        findings: findingRows,
        person: (userId) => ({ name: person(userId)?.name ?? '', department: department(userId) }),
      }),
    };
    const trend = buildTrend({
      month,
      counts: counts.map((c) => ({ ...c, n: Number(c.n) })),
      analysedMonths: new Set(analysedMonths),
      rules: rules.map((r) => ({ id: r.id, title: r.title, severity: r.severity })),
    });
    const report: MonthlyReport = {
      ...parts,
      organisation: { name: this.config.organisation.name, office: this.config.organisation.office },
      marking: settings.marking,
      madeAt,
      approvers: settings.approvers,
      summary: summarise(parts, trend),
      access: accessCounts(actions.map((a) => ({ action: a.action, n: Number(a.n) }))),
      excused: excusedRows.map((e) => ({ rule: e.rule, ruleTitle: e.title, reason: e.reason, events: e.events, userDays: e.userDays })),
      runs: runs.map((r) => ({
        runId: r.run_id,
        kind: r.kind,
        startedAt: r.started,
        finishedAt: r.finished,
        fromDay: r.fd,
        toDay: r.td,
        rules: r.rules,
        status: r.status,
        findings: Number(r.findings),
        error: r.error,
      })),
      ruleResults,
      charts: {
        heatmap,
        topUsers,
        offHoursByDepartment: [...offHours.values()].sort((a, b) => b.events - a.events || a.departmentCode.localeCompare(b.departmentCode)),
      },
      explanations: explanationsOf(explanations, eachDay(w.from, w.to).length, (userId) => ({
        name: person(userId)?.name ?? '',
        department: department(userId),
      }), new Map(staff.map((x) => [x.department_code, x.department_name || x.department_code]))),
      usage: usage.map((u) => ({ kind: u.kind, title: AUDIT_KIND_TITLES[u.kind] ?? u.kind, outcome: u.outcome, count: u.n, people: u.people })),
      integrity: {
        chains: chainHeads,
        verification: verification(
          check && {
            checkedAt: check.at,
            ok: Boolean(check.ok),
            batchesChecked: Number(check.batches_checked),
            expired: Number(check.expired),
            contentFrom: check.content_from,
            contentTo: check.content_to,
            older: Number(check.older_parts)
              ? {
                  part: Number(check.older_part),
                  parts: Number(check.older_parts),
                  partsChecked: check.older_parts_checked,
                  cycleSince: check.older_cycle_since,
                }
              : undefined,
            chains: check.chains.map((c) => ({ ...c, batches: Number(c.batches) })),
            problem: check.problem,
          },
          chainHeads,
        ),
        dataDigest: '',
      },
    };
    report.integrity.dataDigest = contentDigest(report);
    return report;
  }

  /** The parameters a rule ran with in the month (as its findings record them), else those configured now. */
  private paramsOf(def: AnyRuleDefinition, appliedJson: string | undefined): unknown {
    if (appliedJson) {
      try {
        return def.params.parse(JSON.parse(appliedJson));
      } catch {
        // fall through: the configured parameters
      }
    }
    try {
      return resolveRuleParams(def, this.config.rules);
    } catch {
      return def.params.parse({});
    }
  }
}

/** The kinds of change listed one by one in section 11 (what decides detection); every kind is counted. */
const LISTED_CHANGES: readonly string[] = ['config', 'masters', 'exception'];

/** Section 11: open cases, repeat patterns, exceptions of the month, kansa's change history — no resident data. */
function caseworkOf(input: {
  window: MonthWindow;
  openCases: Case[];
  patterns: RepeatPattern[];
  exceptions: ExceptionRecord[];
  expiring: ExceptionRecord[];
  expiringWithinDays: number;
  changes: AuditChange[];
  findings: FindingQueryRow[];
  person: (userId: string) => { name: string; department: string };
}): Casework {
  const { window: w, person } = input;
  const expiringIds = new Set(input.expiring.map((x) => x.id));
  const covered = new Map<string, number>();
  for (const f of input.findings) if (f.exception_id) covered.set(f.exception_id, (covered.get(f.exception_id) ?? 0) + 1);
  const counts = new Map<string, number>();
  for (const c of input.changes) counts.set(c.kind, (counts.get(c.kind) ?? 0) + 1);
  const title = (kind: string) => (AUDIT_KINDS as Record<string, string>)[kind] ?? kind;
  return {
    cases: input.openCases.map((c) => ({
      id: c.id,
      userId: c.userId,
      name: person(c.userId).name,
      title: c.title,
      state: CASE_STATE_TITLES[c.state] ?? c.state,
      owner: c.owner,
      findings: c.findingIds.length,
      openedAt: c.openedAt.slice(0, 10),
    })),
    patterns: input.patterns.map((p) => ({ userId: p.userId, ...person(p.userId), reasons: p.reasons, openCases: p.openCases })),
    exceptions: input.exceptions
      .filter((x) => (x.validFrom <= w.to && x.validTo >= w.from) || expiringIds.has(x.id))
      .sort((a, b) => a.validTo.localeCompare(b.validTo) || a.id.localeCompare(b.id))
      .map((x) => ({
        id: x.id,
        version: x.version,
        reference: x.reference,
        rule: x.rule,
        reason: x.reason,
        approvedBy: x.approvedBy,
        validFrom: x.validFrom,
        validTo: x.validTo,
        findings: covered.get(x.id) ?? 0,
        expiring: expiringIds.has(x.id),
      })),
    expiringWithinDays: input.expiringWithinDays,
    changeCounts: [...counts]
      .map(([kind, count]) => ({ kind, title: title(kind), count }))
      .sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind)),
    changes: input.changes
      .filter((c) => LISTED_CHANGES.includes(c.kind))
      .sort((a, b) => a.at.localeCompare(b.at))
      .map((c) => ({ at: c.at.slice(0, 16), kind: c.kind, title: title(c.kind), summary: c.summary, by: c.actor })),
  };
}

/** Section 12: the month's explained shares and flagged look-ups per staff member (no resident), or none classified. */
function explanationsOf(
  m: MonthExplanations | null,
  days: number,
  person: (userId: string) => { name: string; department: string },
  departments: Map<string, string>,
): Explanations {
  const counts = (x: { accesses: number; explained: number; flagged: number; unexplained: number; explainedShare: number | null }) => ({
    accesses: x.accesses,
    explained: x.explained,
    flagged: x.flagged,
    unexplained: x.unexplained,
    explainedShare: x.explainedShare,
  });
  if (!m) return { classifiedDays: 0, days, total: counts({ accesses: 0, explained: 0, flagged: 0, unexplained: 0, explainedShare: null }), byDepartmentAndSystem: [], flaggedByStaff: [] };
  const flagTitle = (k: string) => (FLAG_KINDS as Record<string, string>)[k] ?? k;
  return {
    classifiedDays: m.classifiedDays,
    days,
    total: counts(m.total),
    byDepartmentAndSystem: m.byDepartmentAndSystem.map((r) => ({
      ...counts(r),
      department: departments.get(r.department) ?? (r.department || '（所属不明）'),
      source: r.source,
      sourceTitle: sourceTitle(r.source),
    })),
    flaggedByStaff: m.flaggedByStaff.map((f) => {
      const p = person(f.userId);
      return {
        userId: f.userId,
        name: p.name,
        department: p.department || departments.get(f.department) || f.department,
        accesses: f.accesses,
        residents: f.residents,
        days: f.days,
        flags: f.flags.map(flagTitle).join('、'),
      };
    }),
  };
}

/** 30日分析済み, 28/30日分析（未分析 2日）, or the judgement's own words (判定保留：…, 一部判定：…). */
function ruleState(j: Judgement, days: number, expected: number): string {
  if (j.state === 'withheld') return j.reason;
  const analysed = days >= expected ? `${days}日分析済み` : `${days}/${expected}日分析（未分析 ${expected - days}日）`;
  return j.state === 'partial' ? `一部判定：${j.reason}（${analysed}）` : analysed;
}

/** The account review's note on unused IDs: the unused-account rule's own state and sentence. */
function unusedRuleNote(rule: RuleRow): string {
  if (rule.judgement === 'withheld') return rule.state;
  return `長期未使用IDのルール（${rule.sentence}）の検知です。${rule.judgement === 'partial' ? rule.state : ''}`;
}

function parseDetails(json: string | undefined): Record<string, unknown> {
  try {
    return json ? (JSON.parse(json) as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * SHA-256 of the report's content: canonical JSON without the time it was
 * made, the verification (a later `kansa verify` does not change the month)
 * and the digest itself.
 */
export function contentDigest(report: MonthlyReport): string {
  const { madeAt: _madeAt, integrity, ...rest } = report;
  const canonical = JSON.stringify({ ...rest, integrity: { chains: integrity.chains } });
  return createHash('sha256').update(canonical).digest('hex');
}

function catalogIndex(catalog: RuleCatalog, id: string): number {
  const i = catalog.findIndex((r) => r.id === id);
  return i < 0 ? catalog.length : i;
}

