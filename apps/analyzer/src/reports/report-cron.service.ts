import { Inject, Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { MetricsService } from '@kansa/service-shell';
import { Counter, Gauge } from 'prom-client';
import { CLOCK, Clock, JST, jstDay, systemClock } from '../core/clock';
import { RULE_CATALOG, RuleCatalog } from '../detection/rule-catalog';
import { monthWindow } from './data/report-builder.service';
import { ReportDataRepository } from './data/report-data.repository';
import { unanalysedDays } from './model/report-scope';
import { MadeReport, ReportsService } from './reports.service';

export type MonthlyRunOutcome =
  | { state: 'made'; report: MadeReport }
  | { state: 'already-made'; month: string }
  | { state: 'waiting-for-analysis'; month: string; daysNotAnalysed: number };

/**
 * The automatic monthly report: last month's report is made once the
 * analysis ledger shows every day of the month analysed (by every rule of the
 * catalogue), or on report.deadlineDay whatever the state — the cover then
 * says what is missing. Made once per month; `kansa report` can always remake it.
 */
@Injectable()
export class ReportCronService implements OnApplicationBootstrap {
  private readonly logger = new Logger(ReportCronService.name);
  private running: Promise<MonthlyRunOutcome> | null = null;
  /** Automatic runs that failed in this process (each recorded with its reason: ReportsService.lastMonth()). */
  private failures = 0;

  constructor(
    @Inject(KANSA_CONFIG) private readonly config: KansaConfig,
    private readonly reports: ReportsService,
    private readonly data: ReportDataRepository,
    @Optional() @Inject(SchedulerRegistry) private readonly registry: SchedulerRegistry | null,
    @Optional() @Inject(RULE_CATALOG) private readonly catalog: RuleCatalog | null,
    @Optional() @Inject(CLOCK) private readonly clock: Clock | null,
    @Optional() @Inject(MetricsService) private readonly metrics: MetricsService | null,
  ) {}

  onApplicationBootstrap(): void {
    this.registerMetrics();
    if (!this.config.report.autoMonthly || !this.registry) return;
    const job = CronJob.from({
      cronTime: this.config.report.cron,
      timeZone: JST,
      onTick: () => {
        // The month and the reason (a ReportFailedError names both), or storage unavailable, the ledger unreadable.
        this.runDue().catch((err: Error) => this.logger.error(`monthly report failed: ${err.message}`));
      },
      start: false,
    });
    this.registry.addCronJob('monthly-report', job);
    job.start();
  }

  /** Makes last month's report if it is due and not made yet. Never runs twice at once. */
  runDue(): Promise<MonthlyRunOutcome> {
    this.running ??= this.check().finally(() => (this.running = null));
    return this.running;
  }

  private async check(): Promise<MonthlyRunOutcome> {
    const today = jstDay((this.clock ?? systemClock).now());
    const { month, made } = await this.reports.lastMonth();
    if (made) return { state: 'already-made', month };
    const notAnalysed = await this.daysNotAnalysed(month, today);
    if (notAnalysed > 0 && Number(today.slice(8)) < this.config.report.deadlineDay) {
      this.logger.log(`monthly report ${month}: waiting for the analysis (${notAnalysed} days not analysed)`);
      return { state: 'waiting-for-analysis', month, daysNotAnalysed: notAnalysed };
    }
    try {
      return { state: 'made', report: await this.reports.make(month, { formats: this.config.report.formats, trigger: 'auto' }) };
    } catch (err) {
      this.failures++;
      throw err;
    }
  }

  /** What monitoring sees (service mode): a report overdue, automatic runs failed. */
  private registerMetrics(): void {
    if (!this.metrics) return;
    const lastMonth = () => this.reports.lastMonth();
    const failures = () => this.failures;
    new Gauge({
      name: 'kansa_report_overdue',
      help: "1 when last month's report is not made and report.deadlineDay has passed (the log says why the automatic run failed)",
      labelNames: ['month'] as const,
      registers: [this.metrics.registry],
      async collect() {
        this.reset();
        const o = await lastMonth().catch(() => null);
        if (o) this.set({ month: o.month }, o.overdue ? 1 : 0);
      },
    });
    new Counter({
      name: 'kansa_report_failures_total',
      help: 'Automatic monthly reports that failed in this process (the reason: GET /api/reports/status, the log)',
      registers: [this.metrics.registry],
      collect() {
        this.reset();
        this.inc(failures());
      },
    });
  }

  /** Days of the month not yet analysed by every rule of the catalogue. */
  private async daysNotAnalysed(month: string, today: string): Promise<number> {
    const w = monthWindow(month);
    const ledger = await this.data.ledger(w);
    return unanalysedDays(w, today, ledger, this.catalog?.length ? this.catalog.map((r) => r.id) : null).length;
  }
}
