import type { IngestSettings } from '@kansa/config';
import type { EventDraft } from '../source-systems/shared/source-system';
import { Quarantine, quarantine } from './step-result';

/**
 * Checks every event passes after its source's schema, the same in
 * JavaScript (RecordProcessor) and in ClickHouse (the SQL twins' `ok`):
 * a time outside the plausible window or older than the retention period,
 * and control characters (NUL …) inside an identifier, are quarantined
 * naming the field. Nothing is ever clamped or cleaned.
 */
export interface EventBounds {
  /** Epoch ms: the first instant accepted … */
  fromMs: number;
  /** … and the first one refused. */
  toMs: number;
  /** Times before this would be removed by the retention TTL at once. */
  retainedFromMs: number;
  plausibleFrom: string;
  aheadDays: number;
  retentionYears: number;
}

const DAY_MS = 86_400_000;

/** The bounds in force for a batch opened at `nowMs`. */
export function eventBounds(settings: IngestSettings, retentionYears: number, nowMs: number): EventBounds {
  const retained = new Date(nowMs);
  retained.setUTCFullYear(retained.getUTCFullYear() - retentionYears);
  return {
    fromMs: Date.parse(`${settings.plausibleFrom}T00:00:00+09:00`),
    toMs: nowMs + settings.plausibleAheadDays * DAY_MS,
    retainedFromMs: retained.getTime(),
    plausibleFrom: settings.plausibleFrom,
    aheadDays: settings.plausibleAheadDays,
    retentionYears,
  };
}

/** Identifier fields of the event: no control character may hide in them. */
const ID_FIELDS = ['userId', 'departmentCode', 'terminalId', 'clientIp', 'screenId', 'businessCode', 'subjectId', 'sourceEventId'] as const;
const ID_COLUMNS: Record<(typeof ID_FIELDS)[number], string> = {
  userId: 'user_id',
  departmentCode: 'department_code',
  terminalId: 'terminal_id',
  clientIp: 'client_ip',
  screenId: 'screen_id',
  businessCode: 'business_code',
  subjectId: 'subject_id',
  sourceEventId: 'source_event_id',
};
/** Control characters but TAB (a tab in a terminal name is odd, not harmful; a NUL cuts an ID short in other tools). */
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/**
 * The first check the event fails, as the field (the source's own column or
 * key, from `columns`) and a Japanese reason — the same text for the same
 * cause whenever it is imported, so that reasons add up — or undefined.
 */
export function checkEvent(e: EventDraft, bounds: EventBounds, columns: Record<string, string>): Quarantine | undefined {
  const timeReason = timeProblem(e.tsMs, bounds);
  if (timeReason) return quarantine(columns.ts ?? 'ts', timeReason);
  for (const f of ID_FIELDS) {
    if (CONTROL.test(e[f])) return quarantine(columns[f] ?? f, '制御文字 (NUL など) を含みます');
  }
  return undefined;
}

function timeProblem(ms: number, b: EventBounds): string | undefined {
  if (ms < b.fromMs) return `日時が想定範囲外です (${b.plausibleFrom} より前)`;
  if (ms >= b.toMs) return `日時が想定範囲外です (取込時点より${b.aheadDays}日以上先)`;
  if (ms < b.retainedFromMs) return `保存期間 (${b.retentionYears}年) を過ぎた日時です`;
  return undefined;
}

/**
 * The same checks as a ClickHouse condition over a staged row (ts_ms and the
 * identifier columns), for the SQL twins: a line that fails it goes back
 * through JavaScript, which names the field and the reason.
 */
export function eventChecksSql(bounds: EventBounds): string {
  const lo = Math.max(bounds.fromMs, bounds.retainedFromMs);
  const ids = Object.values(ID_COLUMNS).join(', ');
  return `ts_ms >= ${lo} AND ts_ms < ${bounds.toMs} AND NOT match(concat(${ids}), '[\\\\x00-\\\\x08\\\\x0a-\\\\x1f\\\\x7f]')`;
}
