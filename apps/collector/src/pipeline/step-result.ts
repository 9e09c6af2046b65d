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

export const ok = <T>(value: T): Ok<T> => ({ kind: 'ok', value });
export const quarantine = (field: string, reason: string): Quarantine => ({ kind: 'quarantine', field, reason });
export const skip = (reason: string): Skip => ({ kind: 'skip', reason });
