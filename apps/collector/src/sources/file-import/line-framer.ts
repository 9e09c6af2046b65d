import { RawRecord } from '../../pipeline/ingest.types';

/** A quoted field running past this many bytes is taken as a broken line (an unclosed quote). */
const MAX_QUOTED_RECORD = 64 * 1024;

/**
 * Cuts a byte stream into records, keeping each record's own bytes (for
 * quarantine) and the line number it starts on. CSV framing is quote-aware
 * (a quoted field may hold line breaks); in CP932 and UTF-8 the bytes `"`,
 * CR and LF never occur inside a multi-byte character, so this is safe before
 * decoding. The line terminator (LF or CRLF) is not part of the record.
 */
export class LineFramer {
  private rest: Buffer | undefined;
  private nextLine = 1;

  constructor(private readonly csv: boolean) {}

  push(chunk: Buffer): RawRecord[] {
    const buf = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    const out: RawRecord[] = [];
    let pos = 0;
    let scan = 0;
    let inQuotes = false;
    let extraLines = 0;
    let firstNl = -1;
    let nextQuote = -1;
    for (;;) {
      const nl = buf.indexOf(10, scan);
      if (nl < 0) break;
      if (this.csv) {
        // Next quote at or after `scan` (searched once, not once per line).
        if (nextQuote < scan) nextQuote = indexOrEnd(buf, scan);
        while (nextQuote < nl) {
          inQuotes = !inQuotes;
          nextQuote = indexOrEnd(buf, nextQuote + 1);
        }
        if (inQuotes) {
          if (firstNl < 0) firstNl = nl;
          if (nl - pos <= MAX_QUOTED_RECORD) {
            extraLines++;
            scan = nl + 1;
            continue;
          }
          // An unclosed quote: its first line is a record of its own (quarantined by the parser).
          out.push(this.record(buf, pos, firstNl, 0));
          pos = scan = firstNl + 1;
          inQuotes = false;
          extraLines = 0;
          firstNl = -1;
          continue;
        }
      }
      out.push(this.record(buf, pos, nl, extraLines));
      pos = scan = nl + 1;
      extraLines = 0;
      firstNl = -1;
    }
    this.rest = pos < buf.length ? Buffer.from(buf.subarray(pos)) : undefined;
    return out;
  }

  /** The records left when the stream ends (a last line without a line break, an unclosed quote). */
  end(): RawRecord[] {
    const out: RawRecord[] = [];
    let rest = this.rest;
    this.rest = undefined;
    while (rest && rest.length > 0) {
      if (!this.csv) {
        out.push(this.record(rest, 0, rest.length, 0));
        break;
      }
      out.push(...this.push(rest[rest.length - 1] === 10 ? rest : Buffer.concat([rest, Buffer.from('\n')])));
      rest = this.rest as Buffer | undefined;
      this.rest = undefined;
      if (rest && rest.length > 0) {
        // An unclosed quote: its first line is a record of its own; framing resumes after it.
        const nl = rest.indexOf(10);
        out.push(this.record(rest, 0, nl, 0));
        rest = rest.subarray(nl + 1);
      }
    }
    return out;
  }

  private record(buf: Buffer, start: number, nl: number, extraLines: number): RawRecord {
    const end = nl > start && buf[nl - 1] === 13 ? nl - 1 : nl;
    const record = { lineNo: this.nextLine, bytes: buf.subarray(start, end) };
    this.nextLine += 1 + extraLines;
    return record;
  }
}

function indexOrEnd(buf: Buffer, from: number): number {
  const i = buf.indexOf(34, from);
  return i < 0 ? buf.length : i;
}
