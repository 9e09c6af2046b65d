import { Inject, Injectable, Optional } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { addDays, checkMonth } from '@kansa/calendar';
import { AUDIT_KIND_TITLES, FINDING_STATUS_TITLES, FindingStatus, SEVERITY_TITLES } from '@kansa/domain';
import { AccessAuditRepository } from '@kansa/service-shell/access-audit.repository';
import { CLOCK, Clock, jstTimestamp, systemClock } from '../../core/clock';
import { RULE_CATALOG, RuleCatalog } from '../../detection/rule-catalog';
import { buildScope, completeness, sourceOrder, sourceTitle, unanalysedDays } from '../model/report-scope';
import { absentStaff, accountReview } from '../model/account-review';
import type { FindingRow, MonthlyReport } from '../model/report.model';
import { FindingQueryRow, MonthWindow, ReportDataRepository } from './report-data.repository';

/** How far back the account review looks for logins (an older last login shows as blank). */
const LOGIN_LOOKBACK_DAYS = 730;

/** First and last day of a 'YYYY-MM' month; throws a clear message otherwise. */
export function monthWindow(month: string): MonthWindow {
  checkMonth('--month', month);
  const [year, mon] = month.split('-').map(Number);
  const next = mon === 12 ? `${year + 1}-01-01` : `${month.slice(0, 4)}-${String(mon + 1).padStart(2, '0')}-01`;
  return { from: `${month}-01`, to: addDays(next, -1) };
}

function statusTitle(status: FindingStatus, outcome: FindingStatus): string {
  if (status === 'closed' && outcome !== 'new' && outcome !== 'reviewing') return `${FINDING_STATUS_TITLES.closed}（${FINDING_STATUS_TITLES[outcome]}）`;
  return FINDING_STATUS_TITLES[status] ?? status;
}

/** Gathers the month from the database into one MonthlyReport. */
@Injectable()
export class ReportBuilderService {
  constructor(
    private readonly data: ReportDataRepository,
    @Inject(KANSA_CONFIG) private readonly config: KansaConfig,
    @Optional() @Inject(RULE_CATALOG) private readonly catalog: RuleCatalog | null,
    @Optional() @Inject(CLOCK) private readonly clock: Clock | null,
    @Optional() @Inject(AccessAuditRepository) private readonly audit: AccessAuditRepository | null,
  ) {}

  async build(month: string): Promise<MonthlyReport> {
    const w = monthWindow(month);
    const settings = this.config.report;
    const now = (this.clock ?? systemClock).now();
    const today = jstTimestamp(now).slice(0, 10);
    const [versions, known, firstEventDay, daily, runs, ledger, findingRows, carriedRows, heat, top, chains, lastLogins] = await Promise.all([
      this.data.masterVersions(w.to),
      this.data.knownSources(),
      this.data.firstEventDay(),
      this.data.dailyCounts(w),
      this.data.runs(w),
      this.data.ledger(w),
      this.data.findings(w),
      this.data.carriedOver(w),
      this.data.heatmap(w),
      this.data.topUsers(w, settings.topUsers),
      this.data.chainHeads(w),
      this.data.lastLogins(w.to, Math.max(LOGIN_LOOKBACK_DAYS, 2 * settings.unusedDays)),
    ]);
    const usage = this.audit ? await this.audit.monthSummary(w.from, w.to) : [];
    const [overrides, staff, accounts, leaves] = await Promise.all([
      this.data.calendarOverrides(versions.calendar),
      this.data.staff(versions.staff),
      this.data.accounts(versions.accounts),
      this.data.leaves(versions.leaves),
    ]);
    const staffById = new Map(staff.map((s) => [s.staff_id, s]));
    const staffOfAccount = new Map(accounts.map((a) => [a.account_id, a.staff_id]));
    const person = (userId: string) => staffById.get(userId) ?? staffById.get(staffOfAccount.get(userId) ?? '');
    const department = (userId: string, fallbackCode = '') => {
      const s = person(userId);
      return s ? s.department_name || s.department_code : fallbackCode;
    };

    // Scope and completeness.
    const scope = buildScope({ window: w, today, knownSources: known, daily, overrides: overrides.map((o) => ({ date: o.date, kind: o.kind, note: o.note })) });
    const catalog = this.catalog ?? [];
    const unanalysed = unanalysedDays(w, today, ledger, catalog.length ? catalog.map((r) => r.id) : null);
    const complete = completeness(w, today, jstTimestamp(now).slice(0, 16), scope, unanalysed);

    // Rules and their parameters: the catalogue, the ledger and what the findings carry.
    const ruleIds = new Set<string>([...catalog.map((r) => r.id), ...ledger.map((l) => l.rule), ...findingRows.map((f) => f.rule)]);
    const byId = new Map(catalog.map((r) => [r.id, r]));
    const ledgerByRule = new Map(ledger.map((l) => [l.rule, l]));
    const appliedParams = new Map<string, string>();
    for (const f of findingRows) if (!appliedParams.has(f.rule) && f.params) appliedParams.set(f.rule, f.params);
    const ruleTitle = (id: string) => byId.get(id)?.title ?? id;
    const rules = [...ruleIds]
      .sort((a, b) => catalogIndex(catalog, a) - catalogIndex(catalog, b) || a.localeCompare(b))
      .map((id) => {
        const def = byId.get(id);
        let params = appliedParams.get(id) ?? '';
        if (!params && def) {
          try {
            params = JSON.stringify(def.params.parse({}));
          } catch {
            params = '';
          }
        }
        const severity = def?.severity ?? findingRows.find((f) => f.rule === id)?.severity ?? '';
        return {
          id,
          title: ruleTitle(id),
          severity: (SEVERITY_TITLES as Record<string, string>)[severity] ?? severity,
          version: def?.version ?? ledgerByRule.get(id)?.version ?? null,
          guideline: def?.guideline ?? '',
          params: formatParams(params),
          daysAnalysed: ledgerByRule.get(id)?.days.length ?? 0,
        };
      });

    const toRow = (f: FindingQueryRow): FindingRow => {
      const status = f.status as FindingStatus;
      const outcome = f.outcome as FindingStatus;
      const s = person(f.user_id);
      return {
        id: f.finding_id,
        day: f.day,
        time: f.first_at ?? '',
        userId: f.user_id,
        name: s?.name ?? '',
        department: s ? s.department_name || s.department_code : '',
        rule: f.rule,
        ruleTitle: ruleTitle(f.rule),
        severity: (SEVERITY_TITLES as Record<string, string>)[f.severity] ?? f.severity,
        summary: f.summary,
        count: Number(f.count),
        status,
        outcome,
        statusTitle: statusTitle(status, outcome),
        reviewer: f.by,
        reviewedAt: f.at,
        comment: f.comment,
      };
    };
    const findings = findingRows.map(toRow);
    const ruleResults = rules
      .map((r) => {
        const mine = findings.filter((f) => f.rule === r.id);
        const n = (s: FindingStatus) => mine.filter((f) => f.outcome === s).length;
        const noIssue = n('no_issue');
        const actionRequired = n('action_required');
        const falsePositive = n('false_positive');
        return {
          rule: r.id,
          title: r.title,
          found: mine.length,
          reviewed: noIssue + actionRequired + falsePositive,
          noIssue,
          actionRequired,
          falsePositive,
          open: mine.length - noIssue - actionRequired - falsePositive,
        };
      });

    // Account review: long-term absentees and retirees with their IDs; unused IDs.
    const reviewInput = { window: w, staff, accounts, leaves, longLeaveDays: settings.longLeaveDays };
    const absent = absentStaff(reviewInput);
    const watched = new Set(absent.flatMap((a) => [a.staffId, ...accounts.filter((x) => x.staff_id === a.staffId).map((x) => x.account_id)]));
    const activity = new Map((await this.data.eventsPerUser(w, [...watched])).map((r) => [`${r.source}|${r.user_id}`, Number(r.n)]));
    const review = accountReview({ ...reviewInput, lastLogins, activity, firstEventDay, unusedDays: settings.unusedDays, systemTitle: sourceTitle });

    // Charts.
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

    const report: MonthlyReport = {
      month,
      period: w,
      organisation: { name: this.config.organisation.name, office: this.config.organisation.office },
      madeAt: jstTimestamp(now).slice(0, 16),
      approvers: settings.approvers,
      completeness: complete,
      scope: { ...scope, firstEventDay },
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
      rules,
      ruleResults,
      findings,
      accountReview: review,
      charts: {
        heatmap,
        topUsers,
        offHoursByDepartment: [...offHours.values()].sort((a, b) => b.events - a.events || a.departmentCode.localeCompare(b.departmentCode)),
      },
      carriedOver: carriedRows.map(toRow),
      usage: usage.map((u) => ({ kind: u.kind, title: AUDIT_KIND_TITLES[u.kind] ?? u.kind, outcome: u.outcome, count: u.n, people: u.people })),
      integrity: {
        chains: [...chains].sort((a, b) => sourceOrder(a.source, b.source)).map((c) => ({
          source: c.source,
          // With a ClickHouse server each collector process keeps its own chain: named after its writer.
          sourceTitle: c.writer ? `${sourceTitle(c.source)}（${c.writer}）` : sourceTitle(c.source),
          seq: Number(c.head_seq),
          chainHash: c.head_hash,
          batches: Number(c.batches),
          lastImport: c.last_import,
        })),
        dataDigest: '',
      },
    };
    report.integrity.dataDigest = contentDigest(report);
    return report;
  }
}

/** SHA-256 of the report's content: canonical JSON without the time it was made and the digest itself. */
export function contentDigest(report: MonthlyReport): string {
  const { madeAt: _madeAt, integrity, ...rest } = report;
  const canonical = JSON.stringify({ ...rest, integrity: { chains: integrity.chains } });
  return createHash('sha256').update(canonical).digest('hex');
}

function catalogIndex(catalog: RuleCatalog, id: string): number {
  const i = catalog.findIndex((r) => r.id === id);
  return i < 0 ? catalog.length : i;
}

/** {"failures":5,"withinMinutes":10} → failures=5, withinMinutes=10 */
function formatParams(json: string): string {
  if (!json) return '';
  try {
    const v = JSON.parse(json) as Record<string, unknown>;
    const entries = Object.entries(v);
    return entries.length ? entries.map(([k, x]) => `${k}=${typeof x === 'object' ? JSON.stringify(x) : String(x)}`).join(', ') : '（なし）';
  } catch {
    return json;
  }
}
