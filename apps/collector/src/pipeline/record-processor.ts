import { jstEpochDay } from '@kansa/domain';
import { StagedRow } from '@kansa/storage';
import { maskMyNumberBytes, maskMyNumbers, myNumberHmac } from '@kansa/domain/my-number';
import { canonicalIdentity } from '../source-systems/canonical/canonical.mapper';
import { EventDraft, SourceSystem } from '../source-systems/shared/source-system';
import { SqlEventColumn } from '../source-systems/shared/sql-normalizer';
import { RowText } from '../sink/row-bytes';
import { stagedRowTsv, tsv } from '../sink/tsv';
import { DecodeStep } from './decode.step';
import { checkEvent, EventBounds } from './event-checks';
import { NOT_PLAIN, PLAIN_ESCAPED, PlainLineRows, scanPlain } from './plain-lines';
import { RawRecord } from './ingest.types';
import { ok, Ok, Quarantine, Skip, skip } from './step-result';

const NO_HMACS: readonly string[] = [];

export interface BatchContext {
  batchId: string;
  source: string;
  instance: string;
  origin: string;
  /** Files start with the header: line 1 must be it. */
  expectHeader: boolean;
  /** Plausible times and retention (event-checks.ts). */
  bounds: EventBounds;
  /** Sources the sender may send (IngestRequest.allowedSources). */
  allowedSources?: readonly string[];
}

/** A staged event row (TabSeparated), its source and JST day (days since the epoch). */
export interface StagedEvent {
  row: RowText;
  source: string;
  jstDay: number;
}

/** A quarantined record: its field and reason, and its quarantine row (TabSeparated). */
export type QuarantinedRecord = Quarantine & { row: string };

/** A record kept apart (not staff activity): its label and its events_apart row (TabSeparated). */
export interface ApartRecord {
  kind: 'apart';
  label: string;
  row: RowText;
}

/** What became of one record: a staged event, a quarantined record, one kept apart, or not a record at all (skip). */
export type Processed = Ok<StagedEvent> | QuarantinedRecord | ApartRecord | Skip;

/** A decoded, masked line and the 個人番号 masked in it. */
interface Prepared {
  raw: string;
  numbers: readonly string[];
}

/** The first line of a CSV file is not the configured header: the whole file is refused. */
export class HeaderMismatchError extends Error {
  constructor(
    readonly origin: string,
    readonly expected: string,
    readonly found: string,
  ) {
    super(
      `${origin}: line 1: the header does not match (expected "${expected}", found "${found.slice(0, 200)}") / ヘッダー行が一致しません`,
    );
  }
}

/**
 * decode → mask 個人番号 → parse/validate (zod) → normalize → identify, for
 * one record, synchronously (the hot path has no await). Rows are rendered
 * straight to TabSeparated for the staging table.
 */
export class RecordProcessor {
  private readonly decoder: DecodeStep;
  /** The system has a SQL twin: plain lines are left to ClickHouse. */
  private readonly lean: boolean;
  /**
   * … and its lines are UTF-8: plain ones are staged undecoded (ClickHouse
   * checks them with isValidUTF8). CP932 lines are decoded here: converting
   * and checking them in ClickHouse measured slower than decoding them in
   * JavaScript, and the engine is the busier side (docs/collector.md).
   */
  private readonly leanBytes: boolean;
  /** Plain lines may hold quotes (JSON; CSV quoting is left to JavaScript). */
  private readonly quotes: boolean;

  constructor(
    private readonly system: SourceSystem,
    private readonly ctx: BatchContext,
    private readonly hmacKey: string,
  ) {
    this.decoder = new DecodeStep(system.config.encoding);
    this.lean = system.sql !== undefined;
    this.leanBytes = this.lean && system.config.encoding === 'utf8';
    this.quotes = system.sql?.quotes ?? false;
  }

  /** The whole path in JavaScript: decode, mask, parse and validate (zod), normalize. */
  process(record: RawRecord): Processed {
    return this.guarded(record, () => {
      const p = this.prepare(record);
      return p.kind === 'ok' ? this.normalize(record, p.value.raw, p.value.numbers) : p;
    });
  }

  /**
   * The lean path: a line ClickHouse can normalize itself (the system has a
   * SQL twin; no quote, no 個人番号) is added to `lines` — undecoded when it is
   * UTF-8 and its bytes show it is plain (plain-lines.ts), else decoded and masked — and
   * nothing is returned; anything else takes the whole path. Lines the twin
   * refuses come back through process() or normalizeText().
   */
  processLean(record: RawRecord, lines: PlainLineRows): Processed | undefined {
    return this.guarded(record, () => this.lean_(record, lines));
  }

  private lean_(record: RawRecord, lines: PlainLineRows): Processed | undefined {
    if (this.leanBytes && record.bytes && !(this.ctx.expectHeader && record.lineNo === 1)) {
      const plain = scanPlain(record.bytes, this.quotes);
      if (plain !== NOT_PLAIN) {
        lines.addBytes(record.lineNo, record.origin ?? '', record.bytes, plain === PLAIN_ESCAPED);
        return undefined;
      }
    }
    const p = this.prepare(record);
    if (p.kind !== 'ok') return p;
    const { raw, numbers } = p.value;
    if (this.lean && numbers.length === 0 && (this.quotes || raw.indexOf('"') < 0)) {
      lines.addText(record.lineNo, record.origin ?? '', raw);
      return undefined;
    }
    return this.normalize(record, raw, numbers);
  }

  /** The whole path for a line already decoded and masked by processLean() (one the SQL twin refused). */
  normalizeText(lineNo: number, origin: string, text: string): Processed {
    const record = { lineNo, origin: origin || undefined, text };
    return this.guarded(record, () => this.normalize(record, text, NO_HMACS));
  }

  /**
   * A record whose processing throws (a poison record: something no check
   * foresaw) is quarantined with the error, never allowed to stop the batch
   * or the stream it came in. A header that does not match still refuses the
   * whole file.
   */
  private guarded<T extends Processed | undefined>(record: RawRecord, work: () => T): T | Processed {
    try {
      return work();
    } catch (err) {
      if (err instanceof HeaderMismatchError) throw err;
      return this.refuse(record, '(処理)', `処理できませんでした: ${(err as Error)?.message ?? String(err)}`.slice(0, 500));
    }
  }

  /** Quarantines a record as it came (its text, or its bytes decoded leniently; 個人番号 masked) with the given field and reason. */
  refuse(record: RawRecord, field: string, reason: string): QuarantinedRecord {
    const raw =
      record.text ??
      (record.bytes ? maskMyNumbers(this.decoder.lenient(maskMyNumberBytes(record.bytes, this.system.config.encoding).value)).value : '');
    return this.quarantined(record, field, reason, raw, '');
  }

  /** decode → strip CR → mask 個人番号 → header / empty line; the masked text, or what became of the record. */
  private prepare(record: RawRecord): Ok<Prepared> | QuarantinedRecord | Skip {
    let text: string;
    if (record.bytes) {
      const decoded = this.decoder.decode(record.bytes);
      if (decoded.kind !== 'ok') {
        const masked = maskMyNumberBytes(record.bytes, this.system.config.encoding);
        const lenient = maskMyNumbers(this.decoder.lenient(masked.value)).value;
        // An unreadable first line of a file is a file in another encoding (e.g. UTF-8 sent as CP932): refuse it whole.
        if (this.ctx.expectHeader && record.lineNo === 1 && this.system.headerLine !== undefined) {
          throw new HeaderMismatchError(
            this.ctx.origin,
            this.system.headerLine,
            `${lenient}" — not readable as ${this.system.config.encoding}; check the file's encoding (文字コードを確認してください)`,
          );
        }
        return this.quarantined(
          record,
          decoded.kind === 'quarantine' ? decoded.field : '(文字コード)',
          decoded.reason,
          lenient,
          masked.value.toString('base64'),
        );
      }
      text = decoded.value;
    } else {
      text = record.text ?? '';
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (text.endsWith('\r')) text = text.slice(0, -1);
    const { value: raw, numbers } = maskMyNumbers(text);
    if (this.system.headerLine !== undefined) {
      if (raw === this.system.headerLine) return skip('header');
      if (this.ctx.expectHeader && record.lineNo === 1) throw new HeaderMismatchError(this.ctx.origin, this.system.headerLine, raw);
    }
    if (raw.trim() === '') return skip('empty line');
    return ok({ raw, numbers });
  }

  /** parse/validate (zod) → normalize → identify → staged row, for a masked line. */
  private normalize(record: RawRecord, raw: string, numbers: readonly string[]): Processed {
    const parsed =
      record.read !== undefined && numbers.length === 0 && this.system.mapRead ? this.system.mapRead(record.read) : this.system.parse(raw);
    if (parsed.kind === 'apart') return this.apart(record, parsed.label, raw, parsed.identity, parsed.tsMs);
    if (parsed.kind !== 'ok') return parsed.kind === 'skip' ? parsed : this.quarantined(record, parsed.field, parsed.reason, raw, '');
    const e = parsed.value;
    const bad = checkEvent(e, this.ctx.bounds, this.system.config.columns);
    if (bad) return this.quarantined(record, bad.field, bad.reason, raw, '');
    const hmacs = this.hmacKey && numbers.length > 0 ? numbers.map((n) => myNumberHmac(this.hmacKey, n)) : NO_HMACS;
    let identity = e.sourceEventId;
    if (!identity && this.system.config.parser === 'canonical') identity = canonicalIdentity(e);
    if (!identity && hmacs.length > 0) identity = raw + '\x1f' + hmacs.join(',');
    const source = e.source ?? this.ctx.source;
    const allowed = this.ctx.allowedSources;
    if (allowed?.length && !allowed.includes(source)) {
      return this.quarantined(
        record,
        'source',
        `この送信元には ${source} のログを送る権限がありません (source ${source} not allowed for this sender)`,
        raw,
        '',
      );
    }
    const row = stagedRowTsv(
      stagedRow(e, {
        source,
        instance: e.instance || this.ctx.instance,
        raw,
        my_number_hmacs: hmacs,
        batch_id: this.ctx.batchId,
        line_no: record.lineNo,
        identity_key: identity,
        origin: record.origin ?? '',
      }),
    );
    return ok({ row, source, jstDay: jstEpochDay(e.tsMs) });
  }

  /**
   * The staged row's apart_id is the record's own identity, or '' (then its
   * line identifies it: staging.writer APART_ID); its epoch_day the JST day
   * of the record's own time, 0 (1970-01-01) without one.
   */
  private apart(record: RawRecord, label: string, raw: string, identity = '', tsMs?: number): ApartRecord {
    const head = [
      tsv(identity),
      this.ctx.batchId,
      tsv(this.ctx.source),
      tsv(this.ctx.instance),
      tsv(record.origin ?? this.ctx.origin),
      record.lineNo,
      tsv(label),
      tsMs !== undefined && Number.isFinite(tsMs) ? Math.min(MAX_EPOCH_DAY, Math.max(0, jstEpochDay(tsMs))) : 0,
      '', // the tab before the raw line, written as its own piece (RowText)
    ].join('\t');
    return { kind: 'apart', label, row: [head, tsv(raw), '\n'] };
  }

  private quarantined(record: RawRecord, field: string, reason: string, raw: string, rawB64: string): QuarantinedRecord {
    const row =
      tsv(`${this.ctx.batchId}:${record.lineNo}`) +
      '\t' +
      this.ctx.batchId +
      '\t' +
      tsv(this.ctx.source) +
      '\t' +
      tsv(this.ctx.instance) +
      '\t' +
      tsv(record.origin ?? this.ctx.origin) +
      '\t' +
      record.lineNo +
      '\t' +
      tsv(field) +
      '\t' +
      tsv(reason) +
      '\t' +
      tsv(raw) +
      '\t' +
      rawB64 +
      '\n';
    return { kind: 'quarantine', field, reason, row };
  }
}

/** The staged row's columns that are the batch's or the line's own, not the event's. */
type LineColumns = Omit<StagedRow, SqlEventColumn>;

/**
 * A staged row: the event's columns and the line's, written out as one
 * literal in the staged order. Not a spread of the event's columns: the
 * spread object made stagedRowTsv ~3× slower (measured 25 µs against 7 µs
 * a Windows row), the costliest step of the JavaScript path.
 */
export function stagedRow(e: EventDraft, line: LineColumns): StagedRow {
  return {
    ts_ms: e.tsMs,
    source: line.source,
    instance: line.instance,
    user_id: e.userId,
    user_name: e.userName,
    department_code: e.departmentCode,
    terminal_id: e.terminalId,
    client_ip: e.clientIp,
    action: e.action,
    screen_id: e.screenId,
    business_code: e.businessCode,
    subject_id: e.subjectId,
    my_number_shown: e.myNumberShown,
    record_count: e.recordCount,
    reason: e.reason,
    outcome: e.outcome,
    object: e.object,
    source_event_id: e.sourceEventId,
    raw: line.raw,
    my_number_hmacs: line.my_number_hmacs,
    batch_id: line.batch_id,
    line_no: line.line_no,
    identity_key: line.identity_key,
    origin: line.origin,
  };
}

/** The columns of a staged row that come from the event itself (what the SQL twins compute for a line). */
export function eventColumns(e: EventDraft): Pick<StagedRow, SqlEventColumn> {
  const row: Partial<StagedRow> = stagedRow(e, NO_LINE);
  for (const name of Object.keys(NO_LINE) as Array<keyof LineColumns>) delete row[name];
  return row as Pick<StagedRow, SqlEventColumn>;
}

const NO_LINE: LineColumns = {
  source: '',
  instance: '',
  raw: '',
  my_number_hmacs: [],
  batch_id: '',
  line_no: 0,
  identity_key: '',
  origin: '',
};

/** Columns of a staged plain line (processLean), left to the source's SQL twin: raw is bytes as received, or text when from_text. */
export const LINE_COLUMNS = ['line_no', 'origin', 'from_text', 'raw'] as const;

/** The last day a ClickHouse Date holds (2149-06-06): a later time is kept on it. */
const MAX_EPOCH_DAY = 65535;

/** events_apart's columns a commit writes. */
export const APART_COLUMNS = ['apart_id', 'batch_id', 'source', 'instance', 'origin', 'line_no', 'label', 'day', 'raw'] as const;
/** A staged kept-apart row's columns, in order (format 4): the stored ones, with the day as days since the epoch. */
export const STAGED_APART_COLUMNS = APART_COLUMNS.map((c) => (c === 'day' ? 'epoch_day' : c));

export const QUARANTINE_COLUMNS = [
  'quarantine_id',
  'batch_id',
  'source',
  'instance',
  'origin',
  'line_no',
  'field',
  'reason',
  'raw',
  'raw_bytes_b64',
] as const;
