import { RowBytes } from '../sink/row-bytes';
import { tsv } from '../sink/tsv';

/**
 * Plain lines: UTF-8 lines ClickHouse can take undecoded and normalize itself
 * with the source's SQL twin (docs/collector.md "ClickHouse parses"). Whether
 * a line is plain is read off its bytes, without decoding it: no quote (CSV
 * quoting is left to JavaScript; `quotes` allows them, for JSON), no run of exactly 12 digits (a possible
 * 個人番号 must be masked before anything is stored), not empty, no
 * byte-order mark. The bytes `"`, `\`, TAB, CR, LF and the ASCII digits never
 * occur inside a UTF-8 multi-byte character.
 */
export const NOT_PLAIN = 0;
export const PLAIN = 1;
/** Plain, but holds a byte TabSeparated must escape (`\`, TAB, CR, NUL). */
export const PLAIN_ESCAPED = 2;
export type Plainness = typeof NOT_PLAIN | typeof PLAIN | typeof PLAIN_ESCAPED;

export function scanPlain(bytes: Uint8Array, quotes = false): Plainness {
  const n = bytes.length;
  if (n === 0) return NOT_PLAIN;
  if (n >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return NOT_PLAIN;
  // A run of exactly 12 digits (ASCII or full-width) may be a 個人番号 (maskMyNumbers' candidates).
  let digits = 0;
  let escaped = false;
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    let digit = b >= 0x30 && b <= 0x39;
    if (b === 0xef && i + 2 < n && bytes[i + 1] === 0xbc && bytes[i + 2] >= 0x90 && bytes[i + 2] <= 0x99) {
      digit = true; // full-width digit U+FF10–U+FF19
      i += 2;
    } else if (b === 0x22 && !quotes) return NOT_PLAIN;
    else if (b === 0x5c || b === 0x09 || b === 0x0d || b === 0x00) escaped = true;
    if (digit) digits++;
    else {
      if (digits === 12) return NOT_PLAIN;
      digits = 0;
    }
  }
  if (digits === 12) return NOT_PLAIN;
  return escaped ? PLAIN_ESCAPED : PLAIN;
}

const TAB = 0x09;

/**
 * Staged plain lines as TabSeparated rows (`line_no, origin, from_text, raw`):
 * the UTF-8 bytes of the line as received (`from_text` 0, escaped on bytes),
 * or a line decoded and masked by kansa (1).
 */
export class PlainLineRows {
  private readonly rows = new RowBytes();

  /** Rows added since the last take(). */
  get count(): number {
    return this.rows.count;
  }

  /** A UTF-8 line as received; `escaped`: it holds bytes TabSeparated escapes. */
  addBytes(lineNo: number, origin: string, bytes: Uint8Array, escaped: boolean): void {
    this.head(lineNo, origin, 0x30);
    if (escaped) this.rows.escapedBytes(bytes);
    else this.rows.bytes(bytes);
    this.rows.endRow();
  }

  /** A line decoded (and masked) by kansa. */
  addText(lineNo: number, origin: string, text: string): void {
    this.head(lineNo, origin, 0x31);
    this.rows.text(tsv(text));
    this.rows.endRow();
  }

  private head(lineNo: number, origin: string, fromText: number): void {
    this.rows.ascii(String(lineNo));
    this.rows.byte(TAB);
    if (origin) this.rows.text(tsv(origin));
    this.rows.byte(TAB);
    this.rows.byte(fromText);
    this.rows.byte(TAB);
  }

  /** The rows added so far (a copy), and starts again. */
  take(): Buffer {
    return this.rows.take();
  }
}
