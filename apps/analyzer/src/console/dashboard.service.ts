import { Inject, Injectable } from '@nestjs/common';
import { addDays, buildCalendarDays, eachDay } from '@kansa/calendar';
import { MastersRepository } from '@kansa/masters';
import { FindingStatus, jstDay, SEVERITIES, SOURCE_TITLES, SOURCES } from '@kansa/domain';
import { ALL_EVENTS } from '@kansa/rules';
import type { ApiClient } from '@kansa/service-shell';
import { CLOCK, Clock } from '../core/clock';
import { RULE_CATALOG, RuleCatalog } from '../detection/rule-catalog';
import { AnalysisLedgerRepository } from '../ledger/analysis-ledger.repository';
import { CoverageService } from '../ledger/coverage.service';
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
    private readonly coverage: CoverageService,
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
    const fromDay = `${m}-01`;
    const toDay = addDays(`${nextMonth(m)}-01`, -1);
    const trendFrom = `${addMonths(m, -11)}-01`;
    const [counts, monthly, cells, data, lastImports, alerts, closed] = await Promise.all([
      this.findings.counts({ from: fromDay, to: toDay, scope: findingScopeOf(client) }),
      this.findings.monthly(trendFrom, toDay),
      this.coverage.assess(fromDay, toDay),
      this.ledger.dataState(fromDay, toDay),
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
    const trend = monthsFrom(addMonths(m, -11), 12).map((month) => {
      const row = { month, low: 0, medium: 0, high: 0, critical: 0 };
      for (const t of monthly.filter((x) => x.month === month)) row[t.severity] += t.n;
      return row;
    });
    // Coverage per source and day: no logs (on a business day, or a closed one), logs not yet analysed (late), or analysed.
    const days = eachDay(fromDay, toDay);
    const stale = new Set(cells.filter((c) => c.state !== 'analysed').map((c) => `${c.rule}|${c.day}`));
    const rulesOf = (source: string) =>
      this.rules.filter((r) => r.reads.events === ALL_EVENTS || (r.reads.events as readonly string[]).includes(source));
    const coverageCells = SOURCES.flatMap((source) =>
      days.map((day) => {
        const events = data.at(source, day).events;
        const state =
          day >= today
            ? 'future'
            : events === 0
              ? closed.has(day)
                ? 'closed'
                : 'missing'
              : rulesOf(source).some((r) => stale.has(`${r.id}|${day}`))
                ? 'late'
                : 'analysed';
        return { source, day, state: state as Dashboard['coverage']['cells'][number]['state'], events };
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
      coverage: { sources: SOURCES.map((s) => ({ source: s, title: SOURCE_TITLES[s] })), days, cells: coverageCells },
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

function nextMonth(m: string): string {
  return addMonths(m, 1);
}

function addMonths(m: string, n: number): string {
  const [y, mm] = m.split('-').map(Number);
  const t = y * 12 + (mm - 1) + n;
  return `${Math.floor(t / 12)}-${String((t % 12) + 1).padStart(2, '0')}`;
}

function monthsFrom(m: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => addMonths(m, i));
}
