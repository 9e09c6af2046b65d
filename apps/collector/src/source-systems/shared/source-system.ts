import { NormalizedEvent } from '@kansa/domain';
import { SourceSystemConfig } from '@kansa/config/sections/sources.section';
import { z } from 'zod';
import { Apart, Quarantine, quarantine, StepResult } from '../../pipeline/step-result';
import { SqlNormalizer } from './sql-normalizer';

/**
 * A source line mapped to the normalized event (before identity and
 * storage): the domain's event with its time as epoch milliseconds; source
 * and instance only where a canonical event names its own.
 */
export type EventDraft = Omit<NormalizedEvent, 'ts' | 'source' | 'instance'> & {
  /** Epoch milliseconds of the event. */
  tsMs: number;
  source?: string;
  instance?: string;
};

/** One source system: how a decoded line becomes an event. */
export interface SourceSystem {
  readonly name: string;
  readonly config: SourceSystemConfig;
  readonly framing: 'csv' | 'jsonl';
  /** CSV: the exact header line (joined with commas), to recognise and check it. */
  readonly headerLine?: string;
  /** The event of a decoded line; or the line is kept apart (Windows: not staff activity). */
  parse(text: string): StepResult<EventDraft> | Apart;
  /** Maps a record a transport already read (RawRecord.read) — the same result as parse() of its text. */
  mapRead?(value: unknown): StepResult<EventDraft> | Apart;
  /** The source also reads .evtx files (Windows event logs). */
  readonly evtx?: boolean;
  /** The SQL twin of parse(), for lines ClickHouse normalizes itself (CSV systems). */
  readonly sql?: SqlNormalizer;
}

/** A configuration mistake in `sources.<name>`: named by key. */
export class SourceConfigError extends Error {}

/** Checks that the mapping names the columns a parser needs and that they are in the header. */
export function requireColumns(
  name: string,
  config: SourceSystemConfig,
  fields: readonly string[],
  optional: readonly string[] = [],
): void {
  for (const f of fields) {
    if (!config.columns[f]) throw new SourceConfigError(`sources.${name}.columns.${f}: required (which column holds it)`);
  }
  if (config.header.length === 0) return;
  for (const f of [...fields, ...optional]) {
    const col = config.columns[f];
    if (col && !config.header.includes(col)) {
      throw new SourceConfigError(`sources.${name}.columns.${f}: column ${col} is not in sources.${name}.header`);
    }
  }
}

/** The first zod issue as a quarantine: field + reason. */
export function firstIssue(error: z.ZodError): Quarantine {
  const issue = error.issues[0];
  const field = issue.path.length > 0 ? String(issue.path[0]) : '(行)';
  let reason = issue.message;
  if (issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined) reason = '値がありません';
  return quarantine(field, reason);
}
