import { createHmac } from 'node:crypto';

/**
 * 個人番号 (My Number) detection and masking. kansa must never store a
 * 個人番号 in clear (it must not become a 特定個人情報ファイル), so every raw
 * line is masked before anything is kept.
 */

/** What replaces a detected 個人番号 in stored text. Same length, never digits. */
export const MY_NUMBER_MASK = '************';

const WEIGHTS = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

/** The check digit of the first 11 digits (マイナンバー検査用数字). */
export function myNumberCheckDigit(first11: string): number {
  let sum = 0;
  for (let i = 0; i < 11; i++) sum += (first11.charCodeAt(i) - 48) * WEIGHTS[i];
  const r = sum % 11;
  return r <= 1 ? 0 : 11 - r;
}

/** True for exactly 12 ASCII digits whose last digit is the valid check digit. */
export function isValidMyNumber(digits: string): boolean {
  if (!/^\d{12}$/.test(digits)) return false;
  return myNumberCheckDigit(digits) === digits.charCodeAt(11) - 48;
}

// 12 digits (ASCII or full-width), not part of a longer digit run.
const CANDIDATE = /(?<![0-9０-９])[0-9０-９]{12}(?![0-9０-９])/g;

const isDigit = (c: number) => (c >= 48 && c <= 57) || (c >= 0xff10 && c <= 0xff19);

/**
 * A quick test for a run of at least 12 digits (a regex would backtrack at
 * every digit). Any 12 characters in a row include exactly one position
 * 11, 23, 35 …: only those are looked at, and the run around a digit found
 * there is measured (~5× fewer characters read in a Windows record's JSON,
 * which every .evtx record is masked as).
 */
export function hasTwelveDigitRun(text: string): boolean {
  const n = text.length;
  for (let i = 11; i < n; i += 12) {
    if (!isDigit(text.charCodeAt(i))) continue;
    let start = i;
    while (start > 0 && i - start < 11 && isDigit(text.charCodeAt(start - 1))) start--;
    let end = i + 1;
    while (end < n && end - start < 12 && isDigit(text.charCodeAt(end))) end++;
    if (end - start >= 12) return true;
  }
  return false;
}

function toAscii(run: string): string {
  let out = '';
  for (const ch of run) {
    const c = ch.charCodeAt(0);
    out += c >= 0xff10 ? String.fromCharCode(c - 0xff10 + 48) : ch;
  }
  return out;
}

export interface MaskResult<T> {
  value: T;
  /** The 個人番号 found (ASCII digits), to be hashed and then forgotten. */
  numbers: string[];
}

/** Masks every valid 個人番号 in a text. Cheap when there is none. */
export function maskMyNumbers(text: string): MaskResult<string> {
  if (!hasTwelveDigitRun(text)) return { value: text, numbers: [] };
  const numbers: string[] = [];
  const value = text.replace(CANDIDATE, (run) => {
    const ascii = toAscii(run);
    if (!isValidMyNumber(ascii)) return run;
    numbers.push(ascii);
    return MY_NUMBER_MASK;
  });
  return { value, numbers };
}

/**
 * Masks valid 個人番号 in undecodable bytes (kept for quarantine as evidence).
 * ASCII digits never occur inside CP932 or UTF-8 multi-byte characters, so
 * ASCII runs are found on bytes directly; full-width digits are found by
 * walking characters of the given encoding.
 */
export function maskMyNumberBytes(bytes: Buffer, encoding: 'cp932' | 'utf8'): MaskResult<Buffer> {
  // Character table: [start, length, digit or -1].
  const chars: Array<[number, number, number]> = [];
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i];
    if (b >= 0x30 && b <= 0x39) {
      chars.push([i, 1, b - 0x30]);
      i++;
    } else if (encoding === 'cp932' && ((b >= 0x81 && b <= 0x9f) || (b >= 0xe0 && b <= 0xfc)) && i + 1 < bytes.length) {
      const t = bytes[i + 1];
      chars.push([i, 2, b === 0x82 && t >= 0x4f && t <= 0x58 ? t - 0x4f : -1]);
      i += 2;
    } else if (encoding === 'utf8' && b === 0xef && bytes[i + 1] === 0xbc && bytes[i + 2] >= 0x90 && bytes[i + 2] <= 0x99) {
      chars.push([i, 3, bytes[i + 2] - 0x90]);
      i += 3;
    } else {
      chars.push([i, 1, -1]);
      i++;
    }
  }
  const numbers: string[] = [];
  const parts: Buffer[] = [];
  let copied = 0;
  for (let i = 0; i < chars.length;) {
    if (chars[i][2] < 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < chars.length && chars[j][2] >= 0) j++;
    if (j - i === 12) {
      const digits = chars
        .slice(i, j)
        .map((c) => String(c[2]))
        .join('');
      if (isValidMyNumber(digits)) {
        numbers.push(digits);
        const start = chars[i][0];
        const end = chars[j - 1][0] + chars[j - 1][1];
        parts.push(bytes.subarray(copied, start), Buffer.from(MY_NUMBER_MASK, 'ascii'));
        copied = end;
      }
    }
    i = j;
  }
  if (numbers.length === 0) return { value: bytes, numbers };
  parts.push(bytes.subarray(copied));
  return { value: Buffer.concat(parts), numbers };
}

/** Keyed hash of a 個人番号 for matching without keeping it (HMAC-SHA256, hex). */
export function myNumberHmac(key: string, digits: string): string {
  return createHmac('sha256', key).update(digits).digest('hex');
}
