import { SourceSystemConfig } from '@kansa/config/sections/sources.section';
import { z } from 'zod';
import { splitCsvLine } from './csv-line';
import { SqlNormalizer } from './sql-normalizer';
import { ok, quarantine, StepResult } from '../../pipeline/step-result';
import { EventDraft, firstIssue, SourceSystem } from './source-system';

/**
 * A CSV source system: split the line, check the column count, validate with
 * the system's zod schema (keyed by header names), map to an event.
 */
export class CsvSourceSystem<T> implements SourceSystem {
  readonly framing = 'csv' as const;
  readonly headerLine: string;
  private readonly header: string[];

  constructor(
    readonly name: string,
    readonly config: SourceSystemConfig,
    private readonly schema: z.ZodType<T>,
    private readonly mapper: (record: T) => EventDraft,
    readonly sql?: SqlNormalizer,
  ) {
    this.header = config.header;
    this.headerLine = config.header.join(',');
  }

  parse(text: string): StepResult<EventDraft> {
    const values = splitCsvLine(text);
    if (!values) return quarantine('(行)', 'CSVの引用符が閉じていません');
    if (values.length !== this.header.length) {
      return quarantine('(列数)', `列数が${this.header.length}ではありません`);
    }
    const record: Record<string, string> = {};
    for (let i = 0; i < values.length; i++) record[this.header[i]] = values[i];
    const result = this.schema.safeParse(record);
    if (!result.success) return firstIssue(result.error);
    return ok(this.mapper(result.data));
  }
}
