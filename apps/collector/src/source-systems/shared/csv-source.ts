import { SourceSystemConfig } from '@kansa/config/sections/sources.section';
import { z } from 'zod';
import { splitCsvLine } from './csv-line';
import { SqlNormalizer } from './sql-normalizer';
import { EventDraft, firstIssue, ParseOutcome, SourceSystem } from './source-system';

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

  parse(text: string): ParseOutcome {
    const values = splitCsvLine(text);
    if (!values) return { ok: false, field: '(行)', reason: 'CSVの引用符が閉じていません' };
    if (values.length !== this.header.length) {
      return { ok: false, field: '(列数)', reason: `列数が${this.header.length}ではありません` };
    }
    const record: Record<string, string> = {};
    for (let i = 0; i < values.length; i++) record[this.header[i]] = values[i];
    const result = this.schema.safeParse(record);
    if (!result.success) return { ok: false, ...firstIssue(result.error) };
    return { ok: true, event: this.mapper(result.data) };
  }
}
