import type { FindingDraft } from './define-rule';

/** Columns every event-based rule query returns (see sql.ts evidence()). */
export interface EvidenceRow {
  day: string;
  user_id: string;
  evidence_ids: string[];
  evidence_total: string | number;
  first_at: string;
  last_at: string;
}

/** ClickHouse returns 64-bit integers as strings in JSON. */
export function num(v: unknown): number {
  return typeof v === 'number' ? v : Number(v ?? 0);
}

/** 'YYYY-MM-DD HH:MM:SS.sss' (JST) → 'HH:MM'. */
export function hhmm(at: string | null | undefined): string {
  return at ? at.slice(11, 16) : '';
}

/** Thousands separators, as Japanese reports write counts. */
export { formatCount as fmt } from '@kansa/domain';

/** The time span of the events, e.g. 「20:05〜21:40」 or 「20:05」. */
export function span(first: string, last: string): string {
  const a = hhmm(first);
  const b = hhmm(last);
  return a === b ? a : `${a}〜${b}`;
}

/** A finding about one user's events of one day (subject = the user ID). */
export function userDayDraft(row: EvidenceRow, summary: string, details?: Record<string, unknown>): FindingDraft {
  return {
    day: row.day,
    userId: row.user_id,
    subject: row.user_id,
    count: num(row.evidence_total),
    firstAt: row.first_at,
    lastAt: row.last_at,
    summary,
    details,
    evidenceIds: row.evidence_ids,
    evidenceTotal: num(row.evidence_total),
  };
}
