/**
 * What a pipeline step says happened to a record: ok, quarantine (bad data:
 * the field and the reason, the original kept), or drop (not an event, e.g. a
 * repeated header line). Infrastructure errors are thrown, never returned.
 */
export type StepResult<T> =
  | { kind: 'ok'; value: T }
  | { kind: 'quarantine'; field: string; reason: string }
  | { kind: 'drop'; reason: string };

export const ok = <T>(value: T): StepResult<T> => ({ kind: 'ok', value });
export const quarantine = (field: string, reason: string): StepResult<never> => ({ kind: 'quarantine', field, reason });
export const drop = (reason: string): StepResult<never> => ({ kind: 'drop', reason });
