import { Inject, Injectable } from '@nestjs/common';
import { addMonths, buildCalendarDays, eachDay, monthRange, monthsEnding } from '@kansa/calendar';
import { MastersRepository } from '@kansa/masters';
import { FindingStatus, jstDay, SEVERITIES, sourceOrder, SOURCES } from '@kansa/domain';
import { sourceTitle } from '@kansa/domain';
import type { ApiClient } from '@kansa/service-shell';
import { CLOCK, Clock } from '../core/clock';
import { RULE_CATALOG, RuleCatalog } from '../detection/rule-catalog';
import { AnalysisLedgerRepository } from '../ledger/analysis-ledger.repository';
import { ALL_SOURCES } from '../ledger/data-snapshot';
import { ledgerKeys } from '../ledger/rule-inputs';
import { ConsoleFindingsRepository } from './console-findings.repository';
import type { Dashboard } from './console.schemas';
import { findingScopeOf } from './finding-scope';
import { DashboardRepository } from './dashboard.repository';

const OPEN: readonly FindingStatus[] = ['new', 'reviewing', 'action_required'];

/** ダッシュボード: the month at a glance, without personal data (counts, coverage, imports, alerts). */
@Injectable()
export class DashboardService {
  constructor(
    private readonly findings: ConsoleFindingsRepository,
    private readonly ledger: AnalysisLedgerRepository,
    private readonly repo: DashboardRepository,
    private readonly masters: MastersRepository,
    @Inject(RULE_CATALOG) private readonly rules: RuleCatalog,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The month (YYYY-MM; default: this month). Counts are within the caller's scope (a reviewer sees their departments'). */
  async month(client: ApiClient, month?: string): Promise<Dashboard> {
    const today = jstDay(this.clock.now());
    const m = month ?? today.slice(0, 7);
    const { from: fromDay, to: toDay } = monthRange(m);
    const trendFrom = `${addMonths(m, -11)}-01`;
    const [counts, monthly, ledger, perDay, lastImports, alerts, closed] = await Promise.all([
      this.findings.counts({ from: fromDay, to: toDay, scope: findingScopeOf(client) }),
      this.findings.monthly(trendFrom, toDay),
      this.ledger.entries(fromDay, toDay),
      this.repo.eventsPerSourceDay(fromDay, toDay),
      this.repo.lastImports(),
      this.repo.alerts(fromDay, toDay),
      this.closedDays(fromDay, toDay),
    ]);
    const byRule = this.rules
      .map((r) => {
        const mine = counts.filter((c) => c.rule === r.id);
        return {
          rule: r.id,
          title: r.title,
          severity: r.severity,
          total: sum(mine),
          open: sum(mine.filter((c) => OPEN.includes(c.status))),
        };
      })
      .filter((r) => r.total > 0);
    const bySeverity = SEVERITIES.map((severity) => {
      const mine = counts.filter((c) => c.severity === severity);
      return { severity, total: sum(mine), open: sum(mine.filter((c) => OPEN.includes(c.status))) };
    });
    const open = sum(counts.filter((c) => OPEN.includes(c.status)));
    const trend = monthsEnding(m, 12).map((month) => {
      const row = { month, low: 0, medium: 0, high: 0, critical: 0 };
      for (const t of monthly.filter((x) => x.month === month)) row[t.severity] += t.n;
      return row;
    });
    // Coverage per source and day: no logs (on a business day, or a closed one), logs not yet analysed
    // (a rule reading the source has not analysed the day, or more events of it arrived since: "late"), or analysed.
    const days = eachDay(fromDay, toDay);
    const events = new Map(perDay.map((r) => [`${r.source}|${r.day}`, r.n]));
    const eventsOfDay = new Map<string, number>();
    for (const r of perDay) eventsOfDay.set(r.day, (eventsOfDay.get(r.day) ?? 0) + r.n);
    const analysed = (source: string, day: string, n: number) =>
      this.rules.every((r) =>
        ledgerKeys(r)
          .filter((key) => key === source || key === ALL_SOURCES)
          .every((key) => {
            const entry = ledger.get(`${r.id}|${day}|${key}`);
            return (
              entry !== undefined &&
              entry.ruleVersion === r.version &&
              entry.eventsSeen >= (key === ALL_SOURCES ? (eventsOfDay.get(day) ?? 0) : n)
            );
          }),
      );
    // The four systems (a city that sends none of 中間サーバー's logs must see it missing), and every other
    // system that has sent logs: Windows event logs, business records, a source of the site's configuration.
    const sources = [...new Set([...SOURCES, ...lastImports.map((r) => r.source), ...perDay.map((r) => r.source)])].sort(sourceOrder);
    const coverageCells = sources.flatMap((source) =>
      days.map((day) => {
        const n = events.get(`${source}|${day}`) ?? 0;
        const state: Dashboard['coverage']['cells'][number]['state'] =
          day >= today ? 'future' : n === 0 ? (closed.has(day) ? 'closed' : 'missing') : analysed(source, day, n) ? 'analysed' : 'late';
        return { source, day, state, events: n };
      }),
    );
    return {
      month: m,
      fromDay,
      toDay,
      byRule,
      bySeverity,
      open,
      decided: sum(counts) - open,
      trend,
      coverage: { sources: sources.map((s) => ({ source: s, title: sourceTitle(s) })), days, cells: coverageCells },
      lastImports,
      alerts,
    };
  }

  /** Closed days (閉庁日) of the business calendar in force (calendar.csv, national holidays, weekends): no logs expected. */
  private async closedDays(fromDay: string, toDay: string): Promise<Set<string>> {
    const version = (await this.masters.versionsAt(toDay)).calendar;
    const overrides = version > 0 ? await this.masters.calendarOverrides(version) : [];
    return new Set(
      buildCalendarDays(fromDay, toDay, overrides)
        .filter((d) => !d.businessDay)
        .map((d) => d.date),
    );
  }
}

function sum(rows: Array<{ n: number }>): number {
  return rows.reduce((a, r) => a + r.n, 0);
}
