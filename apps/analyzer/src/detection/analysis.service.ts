import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { addDays, CalendarService, eachDay, isValidDay } from '@kansa/calendar';
import { MasterTimeline, MastersRepository } from '@kansa/masters';
import {
  ExcusedRow,
  inlineParams,
  lookbackDaysOf,
  MasterVersions,
  MAX_EVIDENCE,
  resolveRuleParams,
  RuleContext,
  ruleStatements,
  unknownRulesMessage,
} from '@kansa/rules';
import { CLOCK, Clock, jstTimestamp, LaterStamps } from '../core/clock';
import { findingId } from '../findings/finding-id';
import { FindingRecord, FindingsRepository } from '../findings/findings.repository';
import { AnalysisLedgerRepository, LedgerEntry } from '../ledger/analysis-ledger.repository';
import { AnalysisRunsRepository, RunKind } from '../ledger/analysis-runs.repository';
import { dayReach, ledgerEntries, readSpan, Segment } from '../ledger/rule-inputs';
import { PrepareJob, PreparedDaysService } from './prepared-days.service';
import { AnyRule, RULE_CATALOG, RuleCatalog } from './rule-catalog';
import { RuleRowsRepository } from './rule-rows.repository';
import { ExceptionsService } from '../casework/exceptions/exceptions.service';

export class AnalysisInputError extends Error {}

/**
 * kansa is stopping: the run ended between two rules (recorded as failed with
 * this reason) or was not started. The days it did not finish stay due, and
 * the next start's catch-up analyses them.
 */
export class AnalysisInterruptedError extends Error {
  constructor() {
    super('kansa stopped during the analysis; its days stay due and are analysed after the next start (停止により中断)');
  }
}

/** What a run left 'running' by a process that ended (a crash, a power cut, a shutdown past its grace) is recorded as. */
export const ABANDONED_RUN_ERROR =
  'the kansa process ended during the analysis (stopped or restarted); its days stay due and are analysed after the next start (プロセス終了により中断)';

/** Some rules failed (the others ran and were recorded, `result`); the run is recorded as failed. */
export class AnalysisFailedError extends Error {
  constructor(
    readonly failures: RuleFailedError[],
    readonly result: AnalyzeResult,
  ) {
    super(failures.map((f) => f.message).join('; '));
  }
}

/** A rule's query failed: names the rule and window (the run is recorded as failed). */
export class RuleFailedError extends Error {
  constructor(
    readonly rule: string,
    fromDay: string,
    toDay: string,
    override readonly cause: Error,
  ) {
    super(`rule ${rule} failed for ${fromDay}..${toDay}: ${cause.message}`);
  }
}

export interface AnalyzeRequest {
  fromDay: string;
  toDay: string;
  /** Rule IDs; all rules when empty. */
  rules?: readonly string[];
  kind?: RunKind;
}

export interface RuleOutcome {
  rule: string;
  title: string;
  findings: number;
  /** Untriaged findings of the window that the data no longer supports. */
  withdrawn: number;
  seconds: number;
  /** A rule with a prepare step: the days it prepared again (the others were as the data still is). */
  preparedDays?: number;
}

export interface AnalyzeResult {
  runId: string;
  fromDay: string;
  toDay: string;
  findings: number;
  seconds: number;
  rules: RuleOutcome[];
  /** Approved exceptions ending soon (casework.exceptions.expiringWithinDays): listed on every run. */
  exceptionsExpiring: Array<{ id: string; rule: string; validTo: string; reference: string }>;
}

/**
 * Runs rules over whole JST days: resolves the master versions and the
 * calendar, builds each rule's context, stores its findings under their
 * identity (rule, subject, day) and records the window in the ledger.
 */
@Injectable()
export class AnalysisService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AnalysisService.name);
  /** The analyzed_at of ledger rows: of two analyses of the same day the later one is always the one the ledger keeps. */
  private readonly stamps: LaterStamps;
  /** Set at shutdown: runs stop before their next rule, none starts. */
  private stopping = false;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    @Inject(KANSA_CONFIG) private readonly config: KansaConfig,
    @Inject(RULE_CATALOG) private readonly catalog: RuleCatalog,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly masters: MastersRepository,
    private readonly calendar: CalendarService,
    private readonly findings: FindingsRepository,
    private readonly ledger: AnalysisLedgerRepository,
    private readonly runs: AnalysisRunsRepository,
    private readonly ruleRows: RuleRowsRepository,
    private readonly exceptions: ExceptionsService,
    private readonly prepared: PreparedDaysService,
  ) {
    this.stamps = new LaterStamps(clock);
  }

  /** The rules selected by ID (all when none); unknown IDs are an input error naming the known ones. */
  selectRules(ids: readonly string[] = []): AnyRule[] {
    if (ids.length === 0) return [...this.catalog];
    const known = new Set(this.catalog.map((r) => r.id));
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length) {
      throw new AnalysisInputError(unknownRulesMessage('--rule', unknown, [...known]));
    }
    return this.catalog.filter((r) => ids.includes(r.id));
  }

  /**
   * Embedded mode: the data directory is this process's alone, so a run still
   * 'running' was left by a process that ended during it; it is recorded as
   * failed, naming that. (A ClickHouse server may have other analyzers'
   * runs in progress: left as they are.)
   */
  async onApplicationBootstrap(): Promise<void> {
    if (this.config.storage.url) return;
    const left = await this.runs.abandon(ABANDONED_RUN_ERROR);
    if (left.length) this.logger.warn(`${left.length} analysis run(s) ended with the previous process: ${left.join(', ')}`);
  }

  /**
   * At shutdown, before storage closes: runs in progress stop before their
   * next rule and are recorded as interrupted (the wait is at most one rule's
   * query); none starts after this.
   */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.inFlight]);
  }

  analyze(request: AnalyzeRequest): Promise<AnalyzeResult> {
    const run = this.run(request);
    this.inFlight.add(run);
    void run.then(
      () => this.inFlight.delete(run),
      () => this.inFlight.delete(run),
    );
    return run;
  }

  private checkNotStopping(): void {
    if (this.stopping) throw new AnalysisInterruptedError();
  }

  private async run(request: AnalyzeRequest): Promise<AnalyzeResult> {
    const { fromDay, toDay } = request;
    checkWindow(fromDay, toDay);
    const rules = this.selectRules(request.rules);
    this.checkNotStopping();
    const started = this.clock.now();
    const runId = randomUUID();
    const run = {
      runId,
      kind: request.kind ?? 'manual',
      startedAt: jstTimestamp(started),
      finishedAt: null,
      fromDay,
      toDay,
      rules: rules.map((r) => r.id),
      status: 'running' as const,
      error: '',
      findings: 0,
    };
    await this.runs.save(run);
    const t0 = performance.now();
    try {
      const { reaches, data, segments, jobOf } = await this.setUp(rules, fromDay, toDay);
      const outcomes: RuleOutcome[] = [];
      const ledger: LedgerEntry[] = [];
      const failures: RuleFailedError[] = [];
      for (const rule of rules) {
        const r0 = performance.now();
        let count = 0;
        let withdrawn = 0;
        let preparedDays = 0;
        const entries: LedgerEntry[] = [];
        try {
          for (const segment of segments) {
            this.checkNotStopping();
            const stored = await this.runRule(jobOf(rule, segment, runId));
            count += stored.findings;
            withdrawn += stored.withdrawn;
            preparedDays += stored.preparedDays;
            entries.push(...ledgerEntries(rule, reaches.get(rule)!, segment, data, runId, this.stamps.next()));
          }
        } catch (err) {
          // One broken rule does not stop the others; its days stay due.
          if (!(err instanceof RuleFailedError)) throw err;
          this.logger.error(err.message);
          failures.push(err);
          continue;
        }
        ledger.push(...entries);
        const seconds = (performance.now() - r0) / 1000;
        outcomes.push({ rule: rule.id, title: rule.title, findings: count, withdrawn, seconds, ...(rule.prepare ? { preparedDays } : {}) });
      }
      await this.ledger.record(ledger);
      const total = outcomes.reduce((n, o) => n + o.findings, 0);
      const exceptionsExpiring = (await this.exceptions.expiring()).map((x) => ({
        id: x.id,
        rule: x.rule,
        validTo: x.validTo,
        reference: x.reference,
      }));
      const result = {
        runId,
        fromDay,
        toDay,
        findings: total,
        seconds: (performance.now() - t0) / 1000,
        rules: outcomes,
        exceptionsExpiring,
      };
      if (failures.length) throw new AnalysisFailedError(failures, result);
      await this.runs.save({ ...run, status: 'ok', finishedAt: jstTimestamp(this.clock.now()), findings: total });
      return result;
    } catch (err) {
      await this.runs
        .save({ ...run, status: 'failed', finishedAt: jstTimestamp(this.clock.now()), error: (err as Error).message })
        .catch((e) => this.logger.error(`could not record the failed run ${runId}: ${(e as Error).message}`));
      throw err;
    }
  }

  /**
   * The rules' prepare steps over a window, ahead of any analysis: the days
   * whose inputs changed since they were last prepared are prepared again
   * (PreparedDaysService), so that the analysis that follows reads them as
   * they are. Used as batches arrive (PrepareAheadService); writes no
   * finding and no analysis ledger row. Days from `lookaheadOpenFrom` on
   * are prepared with their look-ahead as it is so far, which does not make
   * them stale here (PrepareJob).
   */
  async prepareAhead(
    fromDay: string,
    toDay: string,
    lookaheadOpenFrom?: string,
  ): Promise<Array<{ rule: string; preparedDays: number; seconds: number }>> {
    checkWindow(fromDay, toDay);
    const rules = this.catalog.filter((r) => r.prepare);
    if (rules.length === 0) return [];
    const runId = `prepare-ahead:${randomUUID()}`;
    const { segments, jobOf } = await this.setUp(rules, fromDay, toDay);
    const out = [];
    for (const rule of rules) {
      const r0 = performance.now();
      let preparedDays = 0;
      for (const segment of segments) {
        const job = { ...jobOf(rule, segment, runId), lookaheadOpenFrom };
        preparedDays += (await this.prepared.run(job, async () => undefined)).preparedDays.length;
      }
      out.push({ rule: rule.id, preparedDays, seconds: (performance.now() - r0) / 1000 });
    }
    return out;
  }

  /** What every run over a window starts from: the rules' reaches, the data as it is now, the master segments and their calendars. */
  private async setUp(rules: readonly AnyRule[], fromDay: string, toDay: string) {
    const params = new Map(rules.map((r) => [r, resolveRuleParams(r, this.config.rules)]));
    const reaches = new Map(rules.map((r) => [r, dayReach(r, params.get(r))]));
    const lookback = Math.max(0, ...[...reaches.values()].map((r) => r.lookbackDays));
    // The data (look-back and look-ahead included) as it is before the rules read it: anything arriving later makes the days due again.
    const span = readSpan(fromDay, toDay, reaches.values());
    const data = await this.ledger.dataState(span.fromDay, span.toDay);
    const timeline = await this.masters.timeline();
    const segments = segmentsOf(timeline, fromDay, toDay);
    const calendarVersions = new Map<Segment, number>();
    for (const segment of segments) {
      // calendar_days for the segment and its look-back, in the calendar version in effect then.
      calendarVersions.set(segment, await this.calendar.prepare(addDays(segment.fromDay, -lookback - 1), segment.toDay));
    }
    // What a prepare job needs of a rule and the window, besides its segment.
    const jobOf = (rule: AnyRule, segment: Segment, runId: string): PrepareJob => ({
      rule,
      params: params.get(rule),
      reach: reaches.get(rule)!,
      segment,
      data,
      timeline,
      context: (stretch) => this.context(rule, stretch, calendarVersions.get(segment)!),
      runId,
    });
    return { reaches, data, segments, jobOf };
  }

  /**
   * What a rule runs for a window, as the engine receives it: per stretch of
   * days with the same master versions, its context and its SQL with the
   * parameters written in (`kansa rules show`). The window's calendar is
   * prepared as for an analysis; nothing else is written.
   */
  async explain(
    ruleId: string,
    fromDay: string,
    toDay: string,
  ): Promise<{ rule: AnyRule; params: unknown; segments: Array<{ segment: Segment; sql: string }> }> {
    checkWindow(fromDay, toDay);
    const [rule] = this.selectRules([ruleId]);
    const params = resolveRuleParams(rule, this.config.rules);
    const lookback = lookbackDaysOf(rule, params);
    const out = [];
    for (const segment of await this.segments(fromDay, toDay)) {
      const calendarVersion = await this.calendar.prepare(addDays(segment.fromDay, -lookback - 1), segment.toDay);
      const statements = ruleStatements(rule, this.context(rule, segment, calendarVersion));
      out.push({ segment, sql: statements.map((q) => inlineParams(q.query, q.query_params)).join(';\n\n') });
    }
    return { rule, params, segments: out };
  }

  /**
   * What the rules saw over a window and by design did not report (a rule's
   * `excused` query: off-hours accesses inside approved overtime), counted
   * per rule and reason — never who. For the report's coverage section; the
   * window's calendar is prepared as for an analysis, nothing else is written.
   */
  async excused(
    fromDay: string,
    toDay: string,
  ): Promise<Array<{ rule: string; title: string; reason: string; events: number; userDays: number }>> {
    checkWindow(fromDay, toDay);
    const rules = this.catalog.filter((r) => r.excused);
    if (rules.length === 0) return [];
    const out = new Map<string, { rule: string; title: string; reason: string; events: number; userDays: number }>();
    for (const segment of await this.segments(fromDay, toDay)) {
      const calendarVersion = await this.calendar.prepare(addDays(segment.fromDay, -1), segment.toDay);
      for (const rule of rules) {
        for (const row of (await this.ruleRows.rows(
          rule.excused!(this.context(rule, segment, calendarVersion)),
        )) as unknown as ExcusedRow[]) {
          const key = `${rule.id}|${row.reason}`;
          const e = out.get(key) ?? { rule: rule.id, title: rule.title, reason: row.reason, events: 0, userDays: 0 };
          e.events += Number(row.events);
          e.userDays += Number(row.user_days);
          out.set(key, e);
        }
      }
    }
    return [...out.values()];
  }

  /** The context a rule's query gets for a window (also used to time the bare queries). */
  context(rule: AnyRule, segment: Segment, calendarVersion: number): RuleContext<unknown> {
    return {
      fromDay: segment.fromDay,
      toDay: segment.toDay,
      from: `${segment.fromDay} 00:00:00.000`,
      to: `${addDays(segment.toDay, 1)} 00:00:00.000`,
      params: resolveRuleParams(rule, this.config.rules),
      masters: segment.masters,
      calendarVersion,
      hours: this.config.calendar.businessHours,
    };
  }

  /** Splits the window where the master versions in effect change (a day uses the masters as they were). */
  async segments(fromDay: string, toDay: string): Promise<Segment[]> {
    return segmentsOf(await this.masters.timeline(), fromDay, toDay);
  }

  private async runRule(job: PrepareJob): Promise<{ findings: number; withdrawn: number; preparedDays: number }> {
    const { rule, runId } = job;
    const ctx = job.context(job.segment);
    let rows: Array<Record<string, unknown>>;
    let preparedDays: number;
    try {
      // The stale days are prepared, then the query reads them, before the preparation ahead may touch them again.
      const done = await this.prepared.run(job, () => this.ruleRows.rows(rule.query(ctx)));
      rows = done.result;
      preparedDays = done.preparedDays.length;
    } catch (err) {
      throw new RuleFailedError(rule.id, ctx.fromDay, ctx.toDay, err as Error);
    }
    const now = jstTimestamp(this.clock.now());
    const byId = new Map<string, FindingRecord>();
    for (const row of rows) {
      // A rule may date a finding before the window (dormant-account keeps one finding per account and month).
      const draft = rule.toFinding(row, ctx);
      const id = findingId(rule.id, draft.subject, draft.day);
      byId.set(id, {
        findingId: id,
        rule: rule.id,
        ruleVersion: rule.version,
        severity: rule.severity,
        day: draft.day,
        userId: draft.userId,
        subject: draft.subject,
        count: draft.count,
        firstAt: draft.firstAt ?? null,
        lastAt: draft.lastAt ?? null,
        summary: draft.summary,
        details: draft.details ?? {},
        evidenceIds: draft.evidenceIds.slice(0, MAX_EVIDENCE),
        evidenceTotal: Math.max(draft.evidenceTotal, draft.evidenceIds.length),
        params: ctx.params as Record<string, unknown>,
        windowFrom: ctx.from,
        windowTo: ctx.to,
        runId,
        detectedAt: now,
        updatedAt: now,
        exception: null,
      });
    }
    // Findings of this rule already stored for the window, with their first detection.
    const previous = await this.findings.detectedAt({ rule: rule.id, fromDay: ctx.fromDay, toDay: ctx.toDay, ids: [...byId.keys()] });
    for (const [id, record] of byId) record.detectedAt = previous.get(id) ?? record.detectedAt;
    // An approved exception that covers a finding marks it (例外適用); the finding is stored all the same.
    await this.exceptions.annotate([...byId.values()], ctx.masters.staff);
    await this.findings.upsert([...byId.values()]);
    const gone = [...previous.keys()].filter((id) => !byId.has(id));
    const withdrawn = await this.withdrawUntriaged(gone);
    return { findings: byId.size, withdrawn, preparedDays };
  }

  /**
   * A finding the data no longer supports (late logs filled a gap, a master
   * was corrected) is withdrawn while nobody has triaged it; once triaged it
   * stays, with its history, for the reviewer to close.
   */
  private async withdrawUntriaged(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const triaged = await this.findings.statuses(ids);
    const untriaged = ids.filter((id) => !triaged.has(id));
    if (untriaged.length === 0) return 0;
    await this.findings.withdraw(untriaged);
    return untriaged.length;
  }
}

/** The days of a window (--from, --to), checked: real dates, not reversed. */
function checkWindow(fromDay: string, toDay: string): void {
  for (const [flag, day] of [
    ['--from', fromDay],
    ['--to', toDay],
  ] as const) {
    if (!isValidDay(day)) throw new AnalysisInputError(`${flag}: "${day}" is not a date YYYY-MM-DD (日付の形式が不正です)`);
  }
  if (fromDay > toDay) throw new AnalysisInputError(`--from ${fromDay} is after --to ${toDay} (期間の指定が逆です)`);
}

function sameVersions(a: MasterVersions, b: MasterVersions): boolean {
  return (Object.keys(a) as Array<keyof MasterVersions>).every((k) => a[k] === b[k]);
}

/** Splits [fromDay, toDay] where the master versions in effect change. */
function segmentsOf(timeline: MasterTimeline, fromDay: string, toDay: string): Segment[] {
  const segments: Segment[] = [];
  for (const day of eachDay(fromDay, toDay)) {
    const masters = timeline.versionsAt(day);
    const last = segments[segments.length - 1];
    if (last && sameVersions(last.masters, masters)) last.toDay = day;
    else segments.push({ fromDay: day, toDay: day, masters });
  }
  return segments;
}
