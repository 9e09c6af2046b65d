import { Inject, Injectable, Logger } from '@nestjs/common';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { addDays } from '@kansa/calendar';
import { CLOCK, Clock, consecutiveRanges, jstDay, splitByMonth } from '../core/clock';
import { AnalysisService, AnalyzeResult } from '../detection/analysis.service';
import { RULE_CATALOG, RuleCatalog } from '../detection/rule-catalog';
import { AnalysisLedgerRepository } from '../ledger/analysis-ledger.repository';
import { RunKind } from '../ledger/analysis-runs.repository';
import { CoverageService } from '../ledger/coverage.service';

export interface AnalysedWindow {
  fromDay: string;
  toDay: string;
  rules: string[];
  findings: number;
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
   * up to yesterday that was never analysed, was analysed by an older rule
   * version, or whose data changed since — no limit on how far back.
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
        const result = await this.analysis.analyze({ fromDay, toDay, rules, kind });
        windows.push({ fromDay, toDay, rules: rules.sort(), findings: result.findings });
      }
      if (windows.length) this.logger.log(`analysed ${windows.length} window(s) due since ${start}`);
      return windows;
    });
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
