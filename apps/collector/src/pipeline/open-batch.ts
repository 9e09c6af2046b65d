import { epochDayText } from '@kansa/domain';
import { ClickHouseClient } from '@clickhouse/client';
import { RowBytes } from '../sink/row-bytes';
import { StagingBatch } from '../sink/staging.writer';
import { IngestCounts, RawRecord } from './ingest.types';
import { PlainLineRows } from './plain-lines';
import { Processed, RecordProcessor } from './record-processor';

/** Rows sent to ClickHouse per insert into the staging table. */
const FLUSH_ROWS = 4_096;

/** A batch being staged. */
export class OpenBatch {
  readonly startedAtMs = Date.now();
  /** Records taken (lines, including skipped headers and empty lines). */
  records = 0;
  read = 0;
  staged = 0;
  quarantined = 0;
  /** Lines kept apart (not staff activity). */
  apart = 0;
  readonly sources = new Set<string>();
  /** JST days of the staged events (YYYY-MM-DD). */
  readonly days = new Set<string>();
  private readonly epochDays = new Set<number>();
  /** Plain lines staged for the SQL twin, not yet checked. */
  private leanLines = 0;
  private checked = false;
  private readonly events = new RowBytes();
  private readonly quarantineRows = new RowBytes();
  private readonly apartRows = new RowBytes();
  /** Quarantine reasons of this batch (taken back from the totals if it is set aside). */
  private readonly reasons: Record<string, number> = {};
  /** What this batch kept apart (taken back from the totals if it is set aside). */
  private readonly apartKinds: Record<string, number> = {};
  private readonly lines = new PlainLineRows();

  constructor(
    readonly batchId: string,
    private readonly source: string,
    private readonly processor: RecordProcessor,
    readonly staging: StagingBatch,
    /** The condition every accepted line meets (event-checks.ts), recorded with the commit. */
    readonly checks: string,
    /** Quarantine every record with this field and reason (IngestRequest.refuse). */
    private readonly refuse?: { field: string; reason: string },
    /** Plain lines are left to the source's SQL twin (false: every line takes the whole JavaScript path). */
    private readonly lean = true,
  ) {}

  /** Takes this batch's quarantined lines back out of the totals: set aside, none of it is stored. */
  uncount(total: IngestCounts): void {
    total.quarantined -= this.quarantined;
    total.apart -= this.apart;
    for (const [reason, n] of Object.entries(this.reasons)) countReason(total.reasons, reason, -n);
    for (const [label, n] of Object.entries(this.apartKinds)) countReason(total.apartKinds, label, -n);
  }

  /**
   * Counts what the commit stored of the lines kept apart (`stored`, by
   * label) instead of what was staged: those stored before by an earlier
   * sending are duplicates.
   */
  settleApart(total: IngestCounts, stored: Record<string, number>): void {
    const kept = Object.values(stored).reduce((a, n) => a + n, 0);
    total.apart += kept - this.apart;
    total.duplicates += this.apart - kept;
    for (const [label, n] of Object.entries(this.apartKinds)) countReason(total.apartKinds, label, -n);
    for (const [label, n] of Object.entries(stored)) countReason(total.apartKinds, label, n);
  }

  /** Processes a chunk synchronously (no await per record). */
  take(chunk: RawRecord[], from: number, to: number, total: IngestCounts): void {
    this.records += to - from;
    for (let i = from; i < to; i++) {
      const r = chunk[i];
      const refuse = this.refuse ?? r.refused;
      const p = refuse
        ? this.processor.refuse(r, refuse.field, refuse.reason)
        : this.lean
          ? this.processor.processLean(r, this.lines)
          : this.processor.process(r);
      if (p?.kind === 'skip') continue;
      this.read++;
      total.read++;
      if (p === undefined) this.leanLines++;
      else this.count(p, total);
    }
  }

  private count(p: Processed, total: IngestCounts): void {
    if (p.kind === 'skip') {
      // a refused plain line that is no log line after all (a repeated header, blanks)
      this.read--;
      total.read--;
    } else if (p.kind === 'ok') {
      this.events.addRow(p.value.row);
      this.sources.add(p.value.source);
      this.epochDays.add(p.value.jstDay);
      this.staged++;
    } else if (p.kind === 'apart') {
      this.apartRows.addRow(p.row);
      this.apart++;
      total.apart++;
      countReason(total.apartKinds, p.label, 1);
      countReason(this.apartKinds, p.label, 1);
    } else {
      const reason = `${p.field}: ${p.reason}`;
      this.quarantineRows.addRow(p.row);
      this.quarantined++;
      total.quarantined++;
      countReason(total.reasons, reason, 1);
      countReason(this.reasons, reason, 1);
    }
  }

  /**
   * Writes out what is staged and lets the SQL twin check the plain lines
   * (on `client`): those it accepts are staged events (their days bound the
   * duplicate check); those it refuses go through zod now (an event after
   * all, or quarantine with zod's reason), counted in `total` (or in the
   * counts of the request a line number belongs to). Once per batch.
   */
  async check(total: Tally, client: ClickHouseClient): Promise<void> {
    if (this.checked) return;
    this.checked = true;
    await this.flush(true);
    if (this.leanLines > 0) {
      const { days, refused } = await this.staging.checkLines(client);
      this.staged += this.leanLines - refused.length;
      if (refused.length < this.leanLines) this.sources.add(this.source);
      for (const d of days) this.days.add(d);
      for (const line of refused) {
        const p = line.fromText
          ? this.processor.normalizeText(line.lineNo, line.origin, line.raw.toString('utf8'))
          : this.processor.process({ lineNo: line.lineNo, origin: line.origin || undefined, bytes: line.raw });
        this.count(p, typeof total === 'function' ? total(line.lineNo) : total);
      }
      this.leanLines = 0;
      await this.flush(true);
    }
    for (const d of this.epochDays) this.days.add(epochDayText(d));
  }

  /** Writes the rows held so far to staging (all of them when `all`). */
  async flush(all: boolean): Promise<void> {
    if (this.events.count >= (all ? 1 : FLUSH_ROWS)) await this.staging.appendEvents(this.events.take());
    if (this.lines.count >= (all ? 1 : FLUSH_ROWS)) await this.staging.appendLines(this.lines.take());
    if (this.quarantineRows.count >= (all ? 1 : FLUSH_ROWS / 10)) await this.staging.appendQuarantine(this.quarantineRows.take());
    if (this.apartRows.count >= (all ? 1 : FLUSH_ROWS)) await this.staging.appendApart(this.apartRows.take());
  }
}

/** Where lines are counted: one request's counts, or the counts of the request a batch line belongs to (a shared batch). */
export type Tally = IngestCounts | ((lineNo: number) => IngestCounts);

/** Adds `n` to a reason's count (removing it at 0). */
export function countReason(reasons: Record<string, number>, reason: string, n: number): void {
  const v = (reasons[reason] ?? 0) + n;
  if (v === 0) delete reasons[reason];
  else reasons[reason] = v;
}
