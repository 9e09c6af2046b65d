import { SourceSystemConfig } from '@kansa/config/sections/sources.section';
import { z } from 'zod';
import { JSON_TOO_DEEP_REASON, jsonTextMayBeTooDeep, jsonTooDeep } from './json-depth';
import { SqlNormalizer } from './sql-normalizer';
import { ok, Ok, Quarantine, quarantine, StepResult } from '../../pipeline/step-result';
import { EventDraft, firstIssue, SourceSystem } from './source-system';

/** One JSON object of a line, or why the line is not one (quarantined as (JSON)). */
export function parseJsonObject(text: string): Ok<Record<string, unknown>> | Quarantine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return quarantine('(JSON)', 'JSONとして読めません');
  }
  if (jsonTextMayBeTooDeep(text) && jsonTooDeep(value)) return quarantine('(JSON)', JSON_TOO_DEEP_REASON);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return quarantine('(JSON)', 'JSONオブジェクトではありません');
  return ok(value as Record<string, unknown>);
}

/** A JSON Lines source system: one object per line, validated by its zod schema. */
export class JsonSourceSystem<T> implements SourceSystem {
  readonly framing = 'jsonl' as const;

  constructor(
    readonly name: string,
    readonly config: SourceSystemConfig,
    private readonly schema: z.ZodType<T>,
    private readonly mapper: (record: T) => EventDraft,
    readonly sql?: SqlNormalizer,
  ) {}

  parse(text: string): StepResult<EventDraft> {
    const value = parseJsonObject(text);
    if (value.kind !== 'ok') return value;
    const result = this.schema.safeParse(value.value);
    if (!result.success) return firstIssue(result.error);
    return ok(this.mapper(result.data));
  }
}
