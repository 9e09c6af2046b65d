/**
 * The contract of the collector's one pipeline: every transport (file import,
 * Kafka, HTTP) hands raw records to IngestService, which runs
 * decode → identify → validate → normalize → sink → acknowledge.
 */
export type Transport = 'file' | 'kafka' | 'http';

export interface RawRecord {
  /** A record the transport already knows to be unreadable (an .evtx chunk whose checksum fails): quarantined with this field and reason. */
  refused?: { field: string; reason: string };
  /** 1-based line number in the file, or the position in a Kafka/HTTP batch. */
  lineNo: number;
  /** The undecoded bytes (files, Kafka values) or … */
  bytes?: Buffer;
  /** … the text (HTTP lines, JSON objects re-serialized). */
  text?: string;
  /**
   * The record as the transport already read it (an .evtx record, whose
   * `text` is its rendering): the source system maps it without parsing the
   * text again — unless a 個人番号 was masked in the text, which then wins.
   */
  read?: unknown;
  /** Where it came from, for quarantine: e.g. `kansa.jumin/0/12345` (topic/partition/offset). */
  origin?: string;
}

export interface IngestRequest {
  /** `jumin` | `atena` | `chukan` | `terminal` | `canonical` | a configured extra system. */
  source: string;
  instance?: string;
  transport: Transport;
  /** File path, topic, or `http:<client>`. */
  origin: string;
  /** For files: the name used to check the file-name pattern. */
  fileName?: string;
  records: AsyncIterable<RawRecord> | Iterable<RawRecord>;
  /**
   * The sources the sender may send (a scoped ingest token): an event that
   * names another source (canonical events carry their own) is quarantined.
   * Absent or empty: any.
   */
  allowedSources?: readonly string[];
  /**
   * Quarantine every record with this field and reason instead of parsing
   * it: a transport's last resort for records it could not get stored
   * otherwise (Kafka's poison isolation), so that they are kept, counted and
   * chained like any other line.
   */
  refuse?: { field: string; reason: string };
}

export interface IngestCounts {
  read: number;
  stored: number;
  duplicates: number;
  quarantined: number;
  /** Lines kept apart (not staff activity: Windows machine/service accounts, event IDs kansa does not use), stored in events_apart. */
  apart: number;
  /** Lines of batches set aside (storage refused the batch; kept for an operator to replay, nothing of it stored). */
  setAside: number;
  /** Quarantine reasons and how often each occurred, e.g. { "処理日時: invalid date": 2 }. */
  reasons: Record<string, number>;
  /** What was kept apart and how often, e.g. { "未使用のイベントID: 4688": 12 }. */
  apartKinds: Record<string, number>;
}

export interface IngestResult extends IngestCounts {
  /** The first batch (a long stream is committed in several). */
  batchId: string;
  /** Every batch, in commit order (each its own import_batches row, unless set aside). */
  batchIds: string[];
  /** Batches set aside, with why. */
  setAsideBatches: SetAsideNote[];
  /** Set when the request shared its batch with other requests (HTTP group commit): where its lines are in it. */
  share?: BatchShare;
}

/**
 * A request's part of a batch several requests shared: its lines are the
 * batch's lines `offset + 1` … `offset + span` (its own line n is batch line
 * offset + n; each stored row's origin keeps `<origin>#n`).
 */
export interface BatchShare {
  batchId: string;
  offset: number;
  span: number;
  /** How many requests shared the batch. */
  requests: number;
}

/** Counts of nothing read yet. */
export function emptyCounts(): IngestCounts {
  return { read: 0, stored: 0, duplicates: 0, quarantined: 0, apart: 0, setAside: 0, reasons: {}, apartKinds: {} };
}

/** A batch of the request that was set aside. */
export interface SetAsideNote {
  batchId: string;
  lines: number;
  /** The engine's reason. */
  reason: string;
  /** ClickHouse error code and name, when there is one. */
  code: string;
}

/** Nest injection token of the IngestService. */
export const INGEST_SERVICE = Symbol('INGEST_SERVICE');

export interface IngestServicePort {
  /**
   * Stores a batch: resolves only once every accepted record is in ClickHouse
   * (so a transport may acknowledge then). Throws StorageUnavailableError
   * (retry later) — infrastructure errors are never turned into quarantine.
   * Always read = stored + duplicates + quarantined + apart + setAside.
   */
  ingest(request: IngestRequest): Promise<IngestResult>;
}
