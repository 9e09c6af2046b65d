import { previousMonth } from '@kansa/calendar';
import { Inject, Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
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

  constructor(
    @Inject(KANSA_CONFIG) private readonly config: KansaConfig,
    private readonly reports: ReportsService,
    private readonly data: ReportDataRepository,
    @Optional() private readonly registry: SchedulerRegistry | null,
    @Optional() @Inject(RULE_CATALOG) private readonly catalog: RuleCatalog | null,
    @Optional() @Inject(CLOCK) private readonly clock: Clock | null,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.report.autoMonthly || !this.registry) return;
    const job = CronJob.from({
      cronTime: this.config.report.cron,
      timeZone: JST,
      onTick: () => {
        this.runDue().catch((err) => this.logger.error(`monthly report failed: ${(err as Error).message}`));
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
    const month = previousMonth(today);
    const made = (await this.reports.list()).some((r) => r.month === month);
    if (made) return { state: 'already-made', month };
    const notAnalysed = await this.daysNotAnalysed(month, today);
    if (notAnalysed > 0 && Number(today.slice(8)) < this.config.report.deadlineDay) {
      this.logger.log(`monthly report ${month}: waiting for the analysis (${notAnalysed} days not analysed)`);
      return { state: 'waiting-for-analysis', month, daysNotAnalysed: notAnalysed };
    }
    const report = await this.reports.make(month, { formats: this.config.report.formats, trigger: 'auto' });
    return { state: 'made', report };
  }

  /** Days of the month not yet analysed by every rule of the catalogue. */
  private async daysNotAnalysed(month: string, today: string): Promise<number> {
    const w = monthWindow(month);
    const ledger = await this.data.ledger(w);
    return unanalysedDays(w, today, ledger, this.catalog?.length ? this.catalog.map((r) => r.id) : null).length;
  }
}
