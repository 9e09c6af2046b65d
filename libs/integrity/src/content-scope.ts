import { daysBetween } from '@kansa/calendar/business-calendar';
import { jstDay } from '@kansa/domain';
import { BatchRecord } from './chain';

/**
 * Which batches' stored content a verification recomputes (the chains are
 * always walked whole). Absent bounds: every batch.
 */
export interface ContentScope {
  /** The batches imported on these JST days (inclusive, YYYY-MM-DD). */
  from?: string;
  to?: string;
  /**
   * Besides those, one part of the batches imported before `from`: the older
   * batches are divided into `parts` by their first event day (days since
   * 1970-01-01 modulo `parts`; the import day for a batch recorded without
   * days), so that `parts` verifications, one part each, recompute every
   * older batch once, and each part spreads over the whole history (a
   * ten-year backfill imported on one day is not one night's work).
   */
  older?: OlderPart;
}

export interface OlderPart {
  /** 0 … parts − 1. */
  part: number;
  parts: number;
}

const EPOCH = '1970-01-01';

/** The part (of `parts`) an older batch belongs to. */
export function olderPartOf(b: Pick<BatchRecord, 'firstDay' | 'finishedAtMs'>, parts: number): number {
  return daysBetween(EPOCH, b.firstDay || jstDay(b.finishedAtMs)) % parts;
}

/** Whether a verification of this scope recomputes this batch's content. */
export function inContentScope(scope: ContentScope): (b: BatchRecord) => boolean {
  const { from, to, older } = scope;
  if (older && !from) throw new Error('an older part needs the recent days it is older than (from)');
  return (b) => {
    const day = jstDay(b.finishedAtMs);
    if (older && day < from! && olderPartOf(b, older.parts) === older.part) return true;
    return (!from || day >= from) && (!to || day <= to);
  };
}

/**
 * The same choice as a condition on import_batches (finished_at, first_day),
 * with its query parameters; '' when every batch is in scope.
 */
export function contentScopeSql(scope: ContentScope): { condition: string; params: Record<string, unknown> } {
  const { from, to, older } = scope;
  const recent = [from && 'toDate(finished_at) >= {scopeFrom:Date}', to && 'toDate(finished_at) <= {scopeTo:Date}'].filter(Boolean);
  const params: Record<string, unknown> = { ...(from && { scopeFrom: from }), ...(to && { scopeTo: to }) };
  if (!older) return { condition: recent.join(' AND '), params };
  if (!from) throw new Error('an older part needs the recent days it is older than (from)');
  const part =
    "toDate(finished_at) < {scopeFrom:Date} AND toUInt32(toDate(if(first_day != '', first_day, toString(toDate(finished_at))))) % {scopeParts:UInt32} = {scopePart:UInt32}";
  return { condition: `((${recent.join(' AND ')}) OR (${part}))`, params: { ...params, scopeParts: older.parts, scopePart: older.part } };
}
