import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { eachDay } from '@kansa/calendar';
import { MasterTimeline } from '@kansa/masters';
import { RuleContext } from '@kansa/rules';
import { CLOCK, Clock, consecutiveRanges, LaterStamps } from '../core/clock';
import { KeyedQueue } from '../core/keyed-queue';
import { AnalysisLedgerRepository } from '../ledger/analysis-ledger.repository';
import { staleness } from '../ledger/coverage.service';
import { DataSnapshot } from '../ledger/data-snapshot';
import { dayInputs, DayReach, ledgerEntries, Segment } from '../ledger/rule-inputs';
import type { AnyRule } from './rule-catalog';
import { RuleRowsRepository } from './rule-rows.repository';

/** One rule over one stretch of days with the same master versions, as an analysis or the preparation ahead sees it. */
export interface PrepareJob {
  rule: AnyRule;
  params: unknown;
  reach: DayReach;
  segment: Segment;
  /** The data as it was before anything was read: what arrives later makes the days stale again. */
  data: DataSnapshot;
  /** The masters' versions as they are (a master reloaded with other content makes the days it covers stale). */
  timeline: MasterTimeline;
  /** The rule's context for a stretch of the segment. */
  context: (stretch: Segment) => RuleContext<unknown>;
  /** The analysis run, or the pass of preparation ahead, recorded with the days. */
  runId: string;
  /**
   * The preparation ahead only: the days from this one on have a look-ahead
   * that is still filling (yesterday's is today). They are prepared with
   * what has arrived so far, and what arrives later for their look-ahead
   * days does not make them stale here: they would be written again with
   * every batch of today. An analysis (no such day) still finds them stale
   * and prepares them itself; the preparation ahead does once their
   * look-ahead is over.
   */
  lookaheadOpenFrom?: string;
}

/**
 * A rule's prepare step (unexplained-access: classifying every access into
 * access_explanations) runs only for the days whose inputs changed since it
 * last ran for them — the same test as the analysis ledger's (events of the
 * day, of its look-back and look-ahead, the masters, the rule's version),
 * plus the rule's parameters. prepared_days records what each day was
 * written from (docs/explanations.md "Classified once, as the data arrives").
 *
 * Per rule, one job at a time: the preparation ahead never rewrites a day
 * while an analysis reads it. A stretch's days are recorded only once its
 * statements have all run: a rewrite that fails or stops half-way leaves
 * them stale, to be done again.
 */
@Injectable()
export class PreparedDaysService {
  private readonly queue = new KeyedQueue();
  private readonly stamps: LaterStamps;

  constructor(
    @Inject(CLOCK) clock: Clock,
    private readonly ledger: AnalysisLedgerRepository,
    private readonly ruleRows: RuleRowsRepository,
  ) {
    this.stamps = new LaterStamps(clock);
  }

  /** Prepares the stale days of the job, then runs `then` (the rule's query) before any other job of the rule starts. */
  run<T>(job: PrepareJob, then: () => Promise<T>): Promise<{ preparedDays: string[]; result: T }> {
    return this.queue.run(job.rule.id, async () => {
      const preparedDays = await this.refresh(job);
      return { preparedDays, result: await then() };
    });
  }

  /** The days of the job's segment whose prepared rows no longer stand for the data, masters and parameters as they are. */
  private async staleDays(job: PrepareJob, digest: string): Promise<string[]> {
    const { rule, segment, timeline } = job;
    const entries = await this.ledger.entries(segment.fromDay, segment.toDay, 'prepared', rule.id);
    // A day whose look-ahead is still filling is judged without it (PrepareJob.lookaheadOpenFrom).
    const open: DayReach = { ...job.reach, lookaheadDays: 0 };
    const reachOf = (day: string) => (job.lookaheadOpenFrom && day >= job.lookaheadOpenFrom ? open : job.reach);
    return eachDay(segment.fromDay, segment.toDay).filter((day) =>
      dayInputs(rule, reachOf(day), day, job.data).some((input) => {
        const entry = entries.get(`${rule.id}|${day}|${input.source}`);
        return !entry || entry.paramsDigest !== digest || staleness(rule, input, entry, segment.masters, timeline) !== 'analysed';
      }),
    );
  }

  private async refresh(job: PrepareJob): Promise<string[]> {
    const { rule, segment } = job;
    if (!rule.prepare) return [];
    const digest = paramsDigest(job.params);
    const stale = await this.staleDays(job, digest);
    for (const [fromDay, toDay] of consecutiveRanges(stale)) {
      const stretch: Segment = { fromDay, toDay, masters: segment.masters };
      for (const statement of rule.prepare(job.context(stretch))) await this.ruleRows.run(statement);
      const rows = ledgerEntries(rule, job.reach, stretch, job.data, job.runId, this.stamps.next());
      await this.ledger.record(
        rows.map((e) => ({ ...e, paramsDigest: digest })),
        'prepared',
      );
    }
    return stale;
  }
}

/** A digest of a rule's parameters: a day prepared with other parameters is prepared again. */
export function paramsDigest(params: unknown): string {
  return createHash('sha256').update(JSON.stringify(params)).digest('hex').slice(0, 16);
}
