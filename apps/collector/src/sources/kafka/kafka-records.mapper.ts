import { RawRecord } from '../../pipeline/ingest.types';
import { jsonTooDeep, MAX_JSON_DEPTH } from '../../source-systems/shared/json-depth';

/** The part of a kafkajs message the collector reads. */
export interface KafkaMessageLike {
  offset: string;
  value: Buffer | null;
}

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;

/**
 * Splits one message value into its lines. A message holds one line (a CSV
 * row or a JSON object) or a batch of lines separated by LF or CRLF. In CSV, a
 * line break inside a double-quoted field belongs to the field: quotes are
 * tracked on bytes, which is safe for UTF-8 and CP932 (neither uses 0x22, 0x0A
 * or 0x0D inside a multi-byte character). JSON Lines (a message starting with
 * `{`) cannot hold a raw line break inside a value and may hold `\"`, so it is
 * split on every line break. Empty lines are not records.
 */
export function splitLines(value: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  const csv = value[firstNonBlank(value)] !== OPEN_BRACE;
  let start = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const b = value[i];
    if (b === QUOTE && csv) quoted = !quoted;
    else if (b === LF && !quoted) {
      pushLine(lines, value, start, i);
      start = i + 1;
    }
  }
  pushLine(lines, value, start, value.length);
  return lines;
}

/**
 * A message that is a JSON array (`[{…},{…}]`) is a batch of JSON objects:
 * each element becomes one record (re-serialized). Anything else is lines.
 * An array that does not parse is kept whole, so it is quarantined with its bytes.
 */
function splitMessage(value: Buffer): Array<{ bytes?: Buffer; text?: string }> {
  if (value[firstNonBlank(value)] === OPEN_BRACKET) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value.toString('utf8'));
    } catch {
      return [{ bytes: value }];
    }
    // An element nested too deep cannot be re-serialized safely: the message is kept whole (quarantined, naming the depth).
    if (Array.isArray(parsed) && !jsonTooDeep(parsed, MAX_JSON_DEPTH + 1))
      return parsed.map((element) => ({ text: JSON.stringify(element) }));
    if (Array.isArray(parsed)) return [{ bytes: value }];
  }
  return splitLines(value).map((bytes) => ({ bytes }));
}

function firstNonBlank(value: Buffer): number {
  let i = 0;
  while (i < value.length && (value[i] === 0x20 || value[i] === 0x09 || value[i] === CR || value[i] === LF)) i++;
  return i;
}

function pushLine(lines: Buffer[], value: Buffer, start: number, end: number): void {
  if (end > start && value[end - 1] === CR) end--;
  if (end > start) lines.push(value.subarray(start, end));
}

/**
 * The records of a fetched batch, in offset order. Each record keeps where it
 * came from for quarantine: `topic/partition/offset`, and for a message that
 * holds several lines (or a JSON array of several objects)
 * `topic/partition/offset#n` (n = 1-based position within the message).
 * Messages without a value (tombstones), with only blank lines or with an
 * empty array hold no record and are counted in `empty`.
 */
export function toRawRecords(
  topic: string,
  partition: number,
  messages: readonly KafkaMessageLike[],
): { records: RawRecord[]; empty: number } {
  const records: RawRecord[] = [];
  let empty = 0;
  for (const message of messages) {
    const lines = message.value ? splitMessage(message.value) : [];
    if (lines.length === 0) {
      empty++;
      continue;
    }
    const origin = `${topic}/${partition}/${message.offset}`;
    if (lines.length === 1) {
      records.push({ lineNo: records.length + 1, ...lines[0], origin });
      continue;
    }
    lines.forEach((line, i) => records.push({ lineNo: records.length + 1, ...line, origin: `${origin}#${i + 1}` }));
  }
  return { records, empty };
}
