import { z } from 'zod';
import type { RawRecord } from '../../pipeline/ingest.types';
import { JSON_TOO_DEEP_REASON, jsonTooDeep } from '../../source-systems/shared/json-depth';

/** A line, or a JSON object that is re-serialized into one (canonical events, 中間サーバー objects). */
const item = z.union([z.string(), z.record(z.string(), z.unknown())], {
  error: 'each item must be a line (string) or a JSON object',
});

/**
 * POST /api/ingest/:source, as JSON: an array of items, or an object with
 * `lines` (strings) or `records` (objects). Text bodies (text/plain,
 * application/x-ndjson, text/csv; charset honoured) are one record per line.
 */
export const ingestJsonBodySchema = z.union([
  z.array(item),
  z.object({ lines: z.array(z.string()) }).strict(),
  z.object({ records: z.array(z.record(z.string(), z.unknown())) }).strict(),
]);

/** The one schema that applies to the body's shape, so an error names the item. */
function schemaFor(body: unknown): z.ZodType<unknown> {
  if (Array.isArray(body)) return ingestJsonBodySchema.options[0];
  if (typeof body === 'object' && body !== null && 'records' in body) return ingestJsonBodySchema.options[2];
  return ingestJsonBodySchema.options[1];
}

export class IngestBodyError extends Error {}

/** The records of a request body, numbered from 1 in the order sent. */
export function toRawRecords(body: unknown, origin: string): RawRecord[] {
  if (typeof body === 'string') {
    const lines = body.replace(/^\uFEFF/, '').split(/\r?\n/);
    const records: RawRecord[] = [];
    lines.forEach((text, i) => {
      if (text.trim() !== '') records.push({ lineNo: i + 1, text, origin: `${origin}#${i + 1}` });
    });
    return records;
  }
  if (body === undefined || body === null || (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0)) {
    throw new IngestBodyError(
      '本文がありません: Content-Type は application/json、text/plain または application/x-ndjson (empty body or unsupported Content-Type)',
    );
  }
  const parsed = schemaFor(body).safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new IngestBodyError(`本文の形式が不正です (invalid body${where}): ${issue.message}`);
  }
  const data = parsed.data as z.infer<typeof ingestJsonBodySchema>;
  const items = Array.isArray(data) ? data : 'lines' in data ? data.lines : data.records;
  const deep = items.findIndex((it) => typeof it !== 'string' && jsonTooDeep(it));
  if (deep >= 0) throw new IngestBodyError(`本文の形式が不正です (item ${deep + 1}): ${JSON_TOO_DEEP_REASON}`);
  return items.map((it, i) => ({
    lineNo: i + 1,
    text: typeof it === 'string' ? it : JSON.stringify(it),
    origin: `${origin}#${i + 1}`,
  }));
}
