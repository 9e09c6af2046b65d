import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { addDays } from '@kansa/calendar';
import { ALL_EVENTS, resolveRuleParams } from '@kansa/rules';
import { parseJstTimestamp } from '@kansa/domain';
import { CLOCK, Clock, jstDay, jstTimestamp, splitByMonth } from '../core/clock';
import { AnalysisService } from '../detection/analysis.service';
import { RULE_CATALOG, RuleCatalog } from '../detection/rule-catalog';
import { AnalysisLedgerRepository } from '../ledger/analysis-ledger.repository';
import { dayReach } from '../ledger/rule-inputs';

/** The earlier / later of two days ('YYYY-MM-DD' compares as text). */
const earlier = (a: string, b: string) => (a < b ? a : b);
const later = (a: string, b: string) => (a > b ? a : b);

/** What one pass prepared: the days it looked at (null: nothing to do) and, per rule, the days written again. */
export interface PrepareAheadPass {
  fromDay: string;
  toDay: string;
  rules: Array<{ rule: string; preparedDays: number; seconds: number }>;
}

/**
 * Keeps the rules' prepared days (unexplained-access: the classification of
 * every access) up to date as batches arrive, so that an analysis finds
 * them prepared and pays for its queries only (docs/explanations.md
 * "Classified once, as the data arrives").
 *
 * A pass (analyzer.prepareAheadCron, default every minute) looks at the
 * batches stored since the previous pass (import_batches: their first and
 * last day), widens their days by the rules' reach (a business record
 * explains accesses up to 30 days after it and 1 day before), and prepares
 * the stale ones among them, up to yesterday. Days whose look-ahead is
 * still filling (yesterday, with the default look-ahead of one day) are
 * prepared with what has arrived, and what arrives for their look-ahead
 * days does not make them stale before it is over (PrepareJob
 * `lookaheadOpenFrom`): they would be written again with every batch of
 * today. So yesterday is classified by the first pass after midnight,
 * before the daily run at 01:00 asks for it, and again when its own events
 * arrive late; once its look-ahead is over, whatever arrived for it
 * meanwhile makes it stale as usual. The days whose state changes at
 * midnight are looked at by the first pass after it, batches or not.
 * Nothing here is needed for correctness: an analysis prepares whatever is
 * still stale itself. So a pass that fails is not retried (its batches are
 * not looked at again): the analysis classifies those days, and a failure
 * that persists is reported there, as any rule's is.
 */
@Injectable()
export class PrepareAheadService implements OnModuleDestroy {
  private readonly logger = new Logger(PrepareAheadService.name);
  /** finished_at of the latest batch seen by a pass; undefined before the first pass. */
  private since: string | undefined;
  /** Yesterday at the previous pass. */
  private yesterdayBefore: string | null = null;
  private running: Promise<PrepareAheadPass | null> | null = null;
  private stopping = false;

  constructor(
    @Inject(KANSA_CONFIG) private readonly config: KansaConfig,
    @Inject(RULE_CATALOG) private readonly catalog: RuleCatalog,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly analysis: AnalysisService,
    private readonly ledger: AnalysisLedgerRepository,
  ) {}

  /** One pass; a pass asked for while one runs returns that one (a long backfill is not queued up minute after minute). */
  pass(): Promise<PrepareAheadPass | null> {
    this.running ??= this.doPass().finally(() => (this.running = null));
    return this.running;
  }

  /** At shutdown: no month is started any more, and the one under way ends before storage closes. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await this.running?.catch(() => undefined);
  }

  private async doPass(): Promise<PrepareAheadPass | null> {
    if (this.stopping) return null;
    const rules = this.catalog.filter((r) => r.prepare);
    if (rules.length === 0) return null;
    const reaches = rules.map((r) => dayReach(r, resolveRuleParams(r, this.config.rules)));
    const before = Math.max(...reaches.map((r) => r.lookbackDays));
    const after = Math.max(...reaches.map((r) => r.lookaheadDays));
    const yesterday = addDays(jstDay(this.clock.now()), -1);
    // The first day whose look-ahead is not over yet.
    const lookaheadOpenFrom = addDays(yesterday, 1 - after);
    const sources = rules.some((r) => r.reads.events === ALL_EVENTS)
      ? null
      : [...new Set(rules.flatMap((r) => r.reads.events as readonly string[]))];

    // The first pass starts from the last preparation, or from now when nothing was ever prepared: the history
    // stored before (an upgrade, an import while the service was down) is classified by the analyses that read it,
    // not all over again in the background.
    this.since ??= (await this.ledger.lastPrepared()) ?? jstTimestamp(this.clock.now());
    // A batch may finish before the latest one seen and be stored after it: the last ten minutes are looked at again.
    const since = jstTimestamp(parseJstTimestamp(this.since) - 10 * 60_000);
    const arrived = await this.ledger.arrivals(since, sources);
    let fromDay: string | null = null;
    let toDay: string | null = null;
    const widen = (from: string, to: string) => {
      if (from > to) return;
      fromDay = fromDay === null ? from : earlier(from, fromDay);
      toDay = toDay === null ? to : later(to, toDay);
    };
    if (arrived) {
      // The accesses a batch's events can explain (records) or be (accesses) are those of its days widened by the reach.
      const last = addDays(arrived.lastDay, before);
      // Days whose look-ahead is over: as far as the batches' days reach, a day back included (their look-ahead).
      widen(addDays(arrived.firstDay, -after), earlier(last, addDays(lookaheadOpenFrom, -1)));
      // Days whose look-ahead is still filling: only the batches' own days and the days they are the look-back of
      // (today's batches leave yesterday as it was).
      widen(later(arrived.firstDay, lookaheadOpenFrom), earlier(last, yesterday));
      this.since = arrived.lastFinished;
    }
    // After midnight: the new yesterday, and the days whose look-ahead has just ended (the day before yesterday).
    if (this.yesterdayBefore !== yesterday) widen(addDays(this.yesterdayBefore ?? addDays(yesterday, -1), 1 - after), yesterday);
    this.yesterdayBefore = yesterday;
    if (fromDay === null || toDay === null) return null;
    const pass: PrepareAheadPass = { fromDay, toDay, rules: [] };
    for (const [a, b] of splitByMonth(fromDay, toDay)) {
      if (this.stopping) break;
      for (const r of await this.analysis.prepareAhead(a, b, lookaheadOpenFrom)) {
        const seen = pass.rules.find((x) => x.rule === r.rule);
        if (seen) {
          seen.preparedDays += r.preparedDays;
          seen.seconds += r.seconds;
        } else pass.rules.push({ ...r });
      }
    }
    const days = pass.rules.reduce((n, r) => n + r.preparedDays, 0);
    if (days) this.logger.log(`prepared ${days} day(s) ahead between ${fromDay} and ${toDay}`);
    return pass;
  }
}
