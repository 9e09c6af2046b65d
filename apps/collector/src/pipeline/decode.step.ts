import * as iconv from 'iconv-lite';
import { isUtf8 } from 'node:buffer';
import { ok, quarantine, StepResult } from './step-result';

const BOM = '\uFEFF';

/**
 * Bytes → text in the source's encoding. A line with bytes that are invalid in
 * that encoding is quarantined (its bytes are kept as evidence).
 *
 * CP932: the WHATWG/ICU `shift_jis` TextDecoder decodes every CP932 double-byte
 * character exactly as iconv-lite's `cp932` (checked over the whole table in
 * decode.step.spec.ts) and is ~8× faster per line; the few single bytes where
 * ICU differs (0x1A, 0x1C, 0x7F, 0x80) and the user-defined area (外字) are
 * decoded by iconv-lite.
 */
export class DecodeStep {
  private readonly sjis = new TextDecoder('shift_jis', { fatal: true });

  constructor(readonly encoding: 'cp932' | 'utf8') {}

  decode(bytes: Buffer): StepResult<string> {
    if (this.encoding === 'utf8') {
      if (!isUtf8(bytes)) return quarantine('(文字コード)', 'UTF-8として読めないバイト列があります');
      const text = bytes.toString('utf8');
      return ok(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    }
    let sjis: string | undefined;
    try {
      sjis = this.sjis.decode(bytes);
    } catch {
      sjis = undefined;
    }
    const icuDiffers = bytes.indexOf(0x1a) >= 0 || bytes.indexOf(0x1c) >= 0 || bytes.indexOf(0x7f) >= 0 || bytes.indexOf(0x80) >= 0;
    if (sjis !== undefined && !icuDiffers) return ok(sjis);
    const text = iconv.decode(bytes, 'cp932');
    if (!text.includes('\uFFFD')) return ok(text);
    // 外字 beyond iconv-lite's table (F941–F9FC): ICU maps the whole user-defined area to private use.
    if (sjis !== undefined) return ok(sjis);
    return quarantine('(文字コード)', 'CP932として読めないバイト列があります');
  }

  /** Best-effort text of an undecodable line (for people reading the quarantine). */
  lenient(bytes: Buffer): string {
    const text = this.encoding === 'utf8' ? bytes.toString('utf8') : iconv.decode(bytes, 'cp932');
    return text.startsWith(BOM) ? text.slice(1) : text;
  }
}
