import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { CronJob } from 'cron';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { JST } from '../core/clock';
import { AnalysisSchedulerService } from './analysis-scheduler.service';
import { PrepareAheadService } from './prepare-ahead.service';
import { AuditWatchService } from '../casework/watch/audit-watch.service';
import { AnalysisInterruptedError } from '../detection/analysis.service';

/** Registers the analyzer's cron jobs (JST) and starts the catch-up on start — service mode only. */
@Injectable()
export class AnalysisCronService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AnalysisCronService.name);
  private readonly jobs: CronJob[] = [];
  private stopping = false;

  constructor(
    @Inject(KANSA_CONFIG) private readonly config: KansaConfig,
    private readonly registry: SchedulerRegistry,
    private readonly scheduler: AnalysisSchedulerService,
    private readonly watch: AuditWatchService,
    private readonly prepareAhead: PrepareAheadService,
  ) {}

  onApplicationBootstrap(): void {
    const { incrementalCron, dailyCron, catchUpOnStart, prepareAheadCron } = this.config.analyzer;
    this.add('analysis-incremental', incrementalCron, () => this.scheduler.incremental());
    // The daily run is a catch-up: it analyses yesterday and anything late or missed.
    this.add('analysis-daily', dailyCron, () => this.scheduler.catchUp('daily'));
    // The classification of accesses as the batches arrive, ahead of the analyses that read it.
    if (prepareAheadCron) this.add('prepare-ahead', prepareAheadCron, () => this.prepareAhead.pass());
    // The watch over the audit itself: verification and log volumes daily, the clock often (docs/casework.md).
    this.add('audit-watch', this.config.casework.watch.cron, () => this.watch.check());
    this.add('clock-watch', this.config.casework.watch.clockCron, () => this.watch.checkClock());
    if (catchUpOnStart) {
      // In the background: the service answers while a long catch-up runs.
      void this.scheduler.catchUp().catch((err) => this.failed('catch-up', err));
    }
  }

  /** Stops the jobs first thing at shutdown: no job starts on storage that is closing. */
  onModuleDestroy(): void {
    this.stopping = true;
    for (const job of this.jobs) void job.stop();
  }

  /** A job's failure is an error; a run the shutdown interrupted is not (its days stay due). */
  private failed(name: string, err: unknown): void {
    if (err instanceof AnalysisInterruptedError) this.logger.log(`${name}: ${err.message}`);
    else this.logger.error(`${name} failed: ${(err as Error).message}`);
  }

  private add(name: string, expression: string, job: () => Promise<unknown>): void {
    const cron = CronJob.from({
      cronTime: expression,
      timeZone: JST,
      onTick: () => {
        if (this.stopping) return;
        job().catch((err) => this.failed(name, err));
      },
      start: false,
    });
    this.registry.addCronJob(name, cron);
    this.jobs.push(cron);
    cron.start();
  }
}
