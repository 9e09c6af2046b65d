/**
 * A row's TabSeparated text: whole, or in pieces written one after the other
 * (a row holding a long raw line is not copied into one string first:
 * measured ~0.5 µs a Windows row, and the largest allocation of its path).
 */
export type RowText = string | readonly string[];

/** A row's text as one string (tests, and the rare caller that needs it whole). */
export function rowText(row: RowText): string {
  return typeof row === 'string' ? row : row.join('');
}

/**
 * TabSeparated rows gathered as UTF-8 bytes in one growing buffer, written
 * out with take(). A row's text is encoded as it is added, so it dies young:
 * keeping thousands of row strings until a flush cost an .evtx import of a
 * million records ~2 s of joining and ~5 s of garbage collection (the strings
 * outlived the young generation), measured.
 */
export class RowBytes {
  private buf = Buffer.allocUnsafe(1 << 20);
  private len = 0;
  /** Rows added since the last take(). */
  count = 0;

  /** A whole row, its text already escaped and ending in a line feed. */
  addRow(row: RowText): void {
    if (typeof row === 'string') this.text(row);
    else for (const piece of row) this.text(piece);
    this.count++;
  }

  /** Text of a row being built, already escaped. */
  text(value: string): void {
    this.reserve(value.length * 3);
    this.len += this.buf.write(value, this.len, 'utf8');
  }

  /** Latin-1 text (digits, ASCII) of a row being built. */
  ascii(value: string): void {
    this.reserve(value.length);
    this.len += this.buf.write(value, this.len, 'latin1');
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.len++] = b;
  }

  /** Bytes of a row being built, copied as they are. */
  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** Bytes of a row being built, escaped for TabSeparated on the bytes (`\\`, TAB, CR, LF, NUL). */
  escapedBytes(b: Uint8Array): void {
    this.reserve(b.length * 2);
    for (let i = 0; i < b.length; i++) {
      const c = b[i];
      const e = c === 0x5c || c === 0x09 || c === 0x0d || c === 0x00 || c === 0x0a ? ESCAPE[c] : -1;
      if (e < 0) this.buf[this.len++] = c;
      else {
        this.buf[this.len++] = 0x5c;
        this.buf[this.len++] = e;
      }
    }
  }

  /** Ends a row being built (the line feed). */
  endRow(): void {
    this.byte(0x0a);
    this.count++;
  }

  private reserve(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + extra));
    this.buf.copy(bigger, 0, 0, this.len);
    this.buf = bigger;
  }

  /** The rows added so far (a copy: the buffer is reused), and starts again. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.len));
    this.len = 0;
    this.count = 0;
    return out;
  }
}

/** The byte after the backslash of each byte TabSeparated escapes. */
const ESCAPE: Record<number, number> = { 0x5c: 0x5c, 0x09: 0x74, 0x0d: 0x72, 0x00: 0x30, 0x0a: 0x6e };
