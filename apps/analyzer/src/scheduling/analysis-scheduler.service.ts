import { Inject, Injectable, Logger } from '@nestjs/common';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { addDays } from '@kansa/calendar';
import { CLOCK, Clock, consecutiveRanges, jstDay, splitByMonth } from '../core/clock';
import { AnalysisFailedError, AnalysisService, AnalyzeResult, RuleOutcome } from '../detection/analysis.service';
import { RULE_CATALOG, RuleCatalog } from '../detection/rule-catalog';
import { AnalysisLedgerRepository } from '../ledger/analysis-ledger.repository';
import { RunKind } from '../ledger/analysis-runs.repository';
import { CoverageService } from '../ledger/coverage.service';

/** One run of a catch-up: the days, the rules due over all of them, and what each found. */
export interface AnalysedWindow {
  fromDay: string;
  toDay: string;
  runId: string;
  /** The rules that ran to the end (catalogue order), with their findings and withdrawals. */
  rules: RuleOutcome[];
  findings: number;
  /** Rules whose query failed: their days stay due (the next catch-up retries them). */
  failed: Array<{ rule: string; error: string }>;
}

/**
 * What the scheduled jobs do (the cron wiring is in AnalysisCronService):
 * catch-up analyses every due day up to yesterday, the incremental run
 * analyses today-so-far for the alerting rules. Runs never overlap.
 */
@Injectable()
export class AnalysisSchedulerService {
  private readonly logger = new Logger(AnalysisSchedulerService.name);
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(KANSA_CONFIG) private readonly config: KansaConfig,
    @Inject(RULE_CATALOG) private readonly catalog: RuleCatalog,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly analysis: AnalysisService,
    private readonly coverage: CoverageService,
    private readonly ledger: AnalysisLedgerRepository,
  ) {}

  /**
   * Every (rule, day) from the first day with events (or analyzer.catchUpFrom)
   * up to yesterday that is due (CoverageService: never analysed, another
   * rule version, events of the day or of its look-back arrived since, a
   * master it reads changed for that day) — no limit on how far back. A
   * window whose rule fails does not stop the other windows. `kansa analyze
   * --due` runs exactly this.
   */
  catchUp(kind: RunKind = 'catch-up'): Promise<AnalysedWindow[]> {
    return this.serialize(async () => {
      const yesterday = addDays(jstDay(this.clock.now()), -1);
      const start = this.config.analyzer.catchUpFrom || (await this.ledger.firstEventDay());
      if (!start || start > yesterday) return [];
      const due = await this.coverage.due(start, yesterday);
      // Rules due over the same days run together, one run per stretch of days within a month.
      const byRange = new Map<string, string[]>();
      for (const [rule, days] of due) {
        for (const [from, to] of consecutiveRanges(days).flatMap(([a, b]) => splitByMonth(a, b))) {
          const key = `${from}|${to}`;
          byRange.set(key, [...(byRange.get(key) ?? []), rule]);
        }
      }
      const windows: AnalysedWindow[] = [];
      for (const [key, rules] of [...byRange].sort(([a], [b]) => a.localeCompare(b))) {
        const [fromDay, toDay] = key.split('|');
        windows.push(await this.analyseWindow(fromDay, toDay, rules.sort(), kind));
      }
      if (windows.length) this.logger.log(`analysed ${windows.length} window(s) due since ${start}`);
      return windows;
    });
  }

  private async analyseWindow(fromDay: string, toDay: string, rules: string[], kind: RunKind): Promise<AnalysedWindow> {
    const window = (result: AnalyzeResult, failed: AnalysedWindow['failed']): AnalysedWindow => ({
      fromDay,
      toDay,
      runId: result.runId,
      rules: result.rules,
      findings: result.findings,
      failed,
    });
    try {
      return window(await this.analysis.analyze({ fromDay, toDay, rules, kind }), []);
    } catch (err) {
      // The failed rules are logged by AnalysisService; their days stay due.
      if (!(err instanceof AnalysisFailedError)) throw err;
      return window(
        err.result,
        err.failures.map((f) => ({ rule: f.rule, error: f.cause.message })),
      );
    }
  }

  /** Today so far, for the alerting rules (analyzer.incrementalRules). */
  incremental(): Promise<AnalyzeResult | null> {
    return this.serialize(async () => {
      const known = new Set(this.catalog.map((r) => r.id));
      const rules = this.config.analyzer.incrementalRules.filter((id) => known.has(id));
      if (rules.length === 0) return null;
      const today = jstDay(this.clock.now());
      return this.analysis.analyze({ fromDay: today, toDay: today, rules, kind: 'incremental' });
    });
  }

  /** One run at a time: a cron firing during a long catch-up waits for it. */
  private serialize<T>(job: () => Promise<T>): Promise<T> {
    const next = this.queue.then(job, job);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
