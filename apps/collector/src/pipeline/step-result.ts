/**
 * What a pipeline step says happened to a record — the one vocabulary of
 * decode, parse/validate, the event checks and the whole record
 * (RecordProcessor), the SQL twins' refusals included (a refused line goes
 * back through these steps): ok with its value; quarantine (bad data: the
 * field and the reason, the original kept); or skip (not a record at all:
 * a repeated header, an empty line). Infrastructure errors are thrown, never
 * returned.
 */
export type StepResult<T> = Ok<T> | Quarantine | Skip;

export interface Ok<T> {
  kind: 'ok';
  value: T;
}

export interface Quarantine {
  kind: 'quarantine';
  /** The source's own column or key, or (行), (列数), (文字コード), (JSON) … for the whole line. */
  field: string;
  /** Japanese, for staff. */
  reason: string;
}

export interface Skip {
  kind: 'skip';
  reason: string;
}

/**
 * Not staff activity, not bad data: a record kept apart (table events_apart)
 * and counted by kind — a Windows event of a machine or service account, or
 * an event ID kansa does not use (docs/collector.md "Kept apart").
 */
export interface Apart {
  kind: 'apart';
  /** What it is, in Japanese, the key it is counted under: e.g. 非職員アカウント: SYSTEM, 未使用のイベントID: 4688. */
  label: string;
  /** The record's own identity when it has one (a Windows record's channel, computer and number): the same record in any shape is kept once. */
  identity?: string;
  /** The record's own time (epoch ms) when it has one: its JST day bounds the look-up of its identity among those stored. */
  tsMs?: number;
}

export const ok = <T>(value: T): Ok<T> => ({ kind: 'ok', value });
export const quarantine = (field: string, reason: string): Quarantine => ({ kind: 'quarantine', field, reason });
export const skip = (reason: string): Skip => ({ kind: 'skip', reason });
export const apart = (label: string, identity?: string, tsMs?: number): Apart => {
  const r: Apart = { kind: 'apart', label };
  if (identity) r.identity = identity;
  if (tsMs !== undefined) r.tsMs = tsMs;
  return r;
};
