import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { KANSA_CONFIG, KansaConfig } from '@kansa/config';
import { addDays, CalendarService, eachDay, isValidDay } from '@kansa/calendar';
import { MastersRepository } from '@kansa/masters';
import {
  ExcusedRow,
  inlineParams,
  lookbackDaysOf,
  MasterVersions,
  MAX_EVIDENCE,
  resolveRuleParams,
  RuleContext,
  ruleStatements,
} from '@kansa/rules';
import { CLOCK, Clock, jstTimestamp } from '../core/clock';
import { findingId } from '../findings/finding-id';
import { FindingRecord, FindingsRepository } from '../findings/findings.repository';
import { AnalysisLedgerRepository, LedgerEntry } from '../ledger/analysis-ledger.repository';
import { AnalysisRunsRepository, RunKind } from '../ledger/analysis-runs.repository';
import { DataSnapshot } from '../ledger/data-snapshot';
import { dayInputs, DayReach, dayReach, mastersRead, readSpan } from '../ledger/rule-inputs';
import { AnyRule, RULE_CATALOG, RuleCatalog } from './rule-catalog';
import { RuleRowsRepository } from './rule-rows.repository';
import { ExceptionsService } from '../casework/exceptions/exceptions.service';

export class AnalysisInputError extends Error {}

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

/** A stretch of days analysed against the same master versions. */
export interface Segment {
  fromDay: string;
  toDay: string;
  masters: MasterVersions;
}

/**
 * Runs rules over whole JST days: resolves the master versions and the
 * calendar, builds each rule's context, stores its findings under their
 * identity (rule, subject, day) and records the window in the ledger.
 */
@Injectable()
export class AnalysisService {
  private readonly logger = new Logger(AnalysisService.name);
  /** The last ledger stamp given out: see ledgerStamp(). */
  private lastLedgerStamp = 0;

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
  ) {}

  /** The rules selected by ID (all when none); unknown IDs are an input error naming the known ones. */
  selectRules(ids: readonly string[] = []): AnyRule[] {
    if (ids.length === 0) return [...this.catalog];
    const known = new Set(this.catalog.map((r) => r.id));
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length) {
      throw new AnalysisInputError(`unknown rule ${unknown.join(', ')}; known rules: ${[...known].join(', ')} (ルールIDが不正です)`);
    }
    return this.catalog.filter((r) => ids.includes(r.id));
  }

  /**
   * The analysed_at of ledger rows: the clock, but strictly later than the previous stamp, so that of two analyses
   * of the same day the later one is always the one the ledger keeps (argMax would pick either on a tie: two runs
   * in one millisecond, a clock stepped back, a stopped clock in tests).
   */
  private ledgerStamp(): string {
    this.lastLedgerStamp = Math.max(this.clock.now().getTime(), this.lastLedgerStamp + 1);
    return jstTimestamp(new Date(this.lastLedgerStamp));
  }

  async analyze(request: AnalyzeRequest): Promise<AnalyzeResult> {
    const { fromDay, toDay } = request;
    checkWindow(fromDay, toDay);
    const rules = this.selectRules(request.rules);
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
      const params = new Map(rules.map((r) => [r, resolveRuleParams(r, this.config.rules)]));
      const reaches = new Map(rules.map((r) => [r, dayReach(r, params.get(r))]));
      const lookback = Math.max(0, ...[...reaches.values()].map((r) => r.lookbackDays));
      // The data (look-back and look-ahead included) as it is before the rules read it: anything arriving later makes the days due again.
      const span = readSpan(fromDay, toDay, reaches.values());
      const data = await this.ledger.dataState(span.fromDay, span.toDay);
      const segments = await this.segments(fromDay, toDay);
      const calendarVersions = new Map<Segment, number>();
      for (const segment of segments) {
        // calendar_days for the segment and its look-back, in the calendar version in effect then.
        calendarVersions.set(segment, await this.calendar.prepare(addDays(segment.fromDay, -lookback - 1), segment.toDay));
      }
      const outcomes: RuleOutcome[] = [];
      const ledger: LedgerEntry[] = [];
      const failures: RuleFailedError[] = [];
      for (const rule of rules) {
        const r0 = performance.now();
        let count = 0;
        let withdrawn = 0;
        const entries: LedgerEntry[] = [];
        try {
          for (const segment of segments) {
            const ctx = this.context(rule, segment, calendarVersions.get(segment)!);
            const stored = await this.runRule(rule, ctx, runId);
            count += stored.findings;
            withdrawn += stored.withdrawn;
            entries.push(...ledgerEntries(rule, reaches.get(rule)!, segment, data, runId, this.ledgerStamp()));
          }
        } catch (err) {
          // One broken rule does not stop the others; its days stay due.
          if (!(err instanceof RuleFailedError)) throw err;
          this.logger.error(err.message);
          failures.push(err);
          continue;
        }
        ledger.push(...entries);
        outcomes.push({ rule: rule.id, title: rule.title, findings: count, withdrawn, seconds: (performance.now() - r0) / 1000 });
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
    const timeline = await this.masters.timeline();
    const segments: Segment[] = [];
    for (const day of eachDay(fromDay, toDay)) {
      const masters = timeline.versionsAt(day);
      const last = segments[segments.length - 1];
      if (last && sameVersions(last.masters, masters)) last.toDay = day;
      else segments.push({ fromDay: day, toDay: day, masters });
    }
    return segments;
  }

  private async runRule(rule: AnyRule, ctx: RuleContext<unknown>, runId: string): Promise<{ findings: number; withdrawn: number }> {
    let rows: Array<Record<string, unknown>>;
    try {
      for (const statement of rule.prepare?.(ctx) ?? []) await this.ruleRows.run(statement);
      rows = await this.ruleRows.rows(rule.query(ctx));
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
    return { findings: byId.size, withdrawn };
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

/** The ledger rows of a rule over a segment: per day and ledger key, what the analysis read. */
function ledgerEntries(
  rule: AnyRule,
  reach: DayReach,
  segment: Segment,
  data: DataSnapshot,
  runId: string,
  analyzedAt: string,
): LedgerEntry[] {
  const masters = mastersRead(rule, segment.masters);
  return eachDay(segment.fromDay, segment.toDay).flatMap((day) =>
    dayInputs(rule, reach, day, data).map((input) => ({
      rule: rule.id,
      day,
      source: input.source,
      ruleVersion: rule.version,
      eventsSeen: input.day.events,
      dataMark: input.day.mark,
      lookbackEvents: input.lookback.events,
      lookbackMark: input.lookback.mark,
      masters,
      analyzedAt,
      runId,
    })),
  );
}
