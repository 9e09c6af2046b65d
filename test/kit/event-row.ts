import { emptyEventRow, EventRow } from '@kansa/storage';

/**
 * An `events` row for tests that insert events directly (rules, analyzer,
 * report fixtures): every column of @kansa/storage's one definition, with the
 * given values over empty defaults. `ts` is JST wall-clock text.
 */
export function eventRow(values: Partial<EventRow> & Pick<EventRow, 'event_id' | 'ts'>): EventRow {
  return { ...emptyEventRow(), ...values };
}
