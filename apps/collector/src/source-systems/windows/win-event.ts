import { JST_OFFSET_MS } from '@kansa/domain';
import { Quarantine, quarantine } from '../../pipeline/step-result';
import { parseIsoWithOffset } from '../shared/fields';

/**
 * One Windows event as kansa reads it, whatever carried it: an .evtx record
 * (sources/file-import/evtx), or a JSON line of a log shipper in one of the
 * three common shapes (readWinEvent). The data items are text, as Windows
 * renders them (numbers in decimal, hex values as 0x…, SIDs as S-1-…).
 */
export interface WinEvent {
  recordId: string;
  eventId: number;
  /** Epoch milliseconds of System/TimeCreated. */
  timeMs: number;
  provider: string;
  channel: string;
  computer: string;
  /** System/Task: a number (12544) in EVTX and evtx_dump, its name ("Logon") from Winlogbeat. */
  task: string;
  /** EventData/Data items by Name, or the children of UserData's element. */
  data: Record<string, string>;
  /** `data` as JSON text, when the .evtx reader wrote it while reading (the text JSON.stringify would give). */
  dataJson?: string;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A JSON value as the text Windows would render (numbers in decimal; null and objects: ''). */
function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (isObject(v) && '#text' in v) return str(v['#text']);
  if (Array.isArray(v)) return v.map(str).join(' ');
  return '';
}

/**
 * A time as sent: ISO 8601 with Z or an offset; without an offset (NXLog's
 * EventTime `2026-04-01 09:00:00`) it is JST, as every time without an
 * offset in kansa.
 */
function time(v: unknown): number | undefined {
  const text = str(v).trim();
  const iso = parseIsoWithOffset(text.replace(' ', 'T'));
  if (iso !== undefined) return iso;
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/.exec(text);
  if (!m) return undefined;
  const asUtc = parseIsoWithOffset(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ? '.' + m[7] : ''}Z`);
  return asUtc === undefined ? undefined : asUtc - JST_OFFSET_MS;
}

/** Items of an EventData / event_data / UserData object: by name, or xmltodict's Data array of {@Name, #text}. */
function items(section: unknown, into: Record<string, string>): void {
  if (!isObject(section)) return;
  const data = section['Data'];
  if (Array.isArray(data)) {
    data.forEach((d, i) => {
      if (isObject(d)) {
        const attrs = isObject(d['#attributes']) ? d['#attributes'] : {};
        const name = str(d['@Name'] ?? d['Name'] ?? attrs['Name']) || `Data${i}`;
        into[name] = str(d['#text'] ?? d['value'] ?? d['Value']);
      } else into[`Data${i}`] = str(d);
    });
    return;
  }
  for (const k in section) {
    if (k === '#attributes' || k === 'xmlns' || k.startsWith('@')) continue;
    into[k] = str(section[k]);
  }
}

/** UserData holds one element (LogFileCleared, DocumentPrinted …) whose children are the items. */
function userData(section: unknown, into: Record<string, string>): void {
  if (!isObject(section)) return;
  for (const [k, v] of Object.entries(section)) {
    if (k === '#attributes' || k.startsWith('@')) continue;
    if (isObject(v)) items(v, into);
    else into[k] = str(v);
  }
}

/** Reads the three JSON shapes of spec'd log shippers; anything else is quarantined naming the key it lacks. */
export function readWinEvent(value: Json): WinEvent | Quarantine {
  if (isObject(value['winlog'])) return winlogbeat(value);
  if (isObject(value['Event'])) return evtxDump(value['Event']);
  if ('EventID' in value || 'EventId' in value) return flat(value);
  return quarantine('(JSON)', 'Windows イベントの形式ではありません (winlog / Event / EventID がありません)');
}

/** Winlogbeat / ECS: winlog.event_id, winlog.event_data.*, @timestamp. */
function winlogbeat(v: Json): WinEvent | Quarantine {
  const w = v['winlog'] as Json;
  const data: Record<string, string> = {};
  items(w['event_data'], data);
  items(w['user_data'], data);
  const host = isObject(v['host']) ? v['host'] : {};
  return complete(
    {
      recordId: str(w['record_id']),
      eventId: str(w['event_id']),
      time: v['@timestamp'] ?? w['time_created'],
      provider: str(w['provider_name']),
      channel: str(w['channel']),
      computer: str(w['computer_name']) || str(host['name']),
      task: str(w['task']),
      data,
    },
    { eventId: 'winlog.event_id', time: '@timestamp', computer: 'winlog.computer_name' },
  );
}

/** evtx_dump / Sigma style: Event.System, Event.EventData (or Event.UserData). */
function evtxDump(e: Json): WinEvent | Quarantine {
  const s = isObject(e['System']) ? e['System'] : {};
  const attrs = (k: string): Json => {
    const node = s[k];
    if (!isObject(node)) return {};
    if (isObject(node['#attributes'])) return node['#attributes'];
    return Object.fromEntries(Object.entries(node).map(([a, x]) => [a.replace(/^@/, ''), x]));
  };
  const data: Record<string, string> = {};
  items(e['EventData'], data);
  userData(e['UserData'], data);
  return complete(
    {
      recordId: str(s['EventRecordID']),
      eventId: str(s['EventID']),
      time: attrs('TimeCreated')['SystemTime'],
      provider: str(attrs('Provider')['Name']),
      channel: str(s['Channel']),
      computer: str(s['Computer']),
      task: str(s['Task']),
      data,
    },
    { eventId: 'Event.System.EventID', time: 'Event.System.TimeCreated.SystemTime', computer: 'Event.System.Computer' },
  );
}

/** System keys of the flat form (NXLog, Fluent Bit, flattened Sigma): the rest are the data items. */
const FLAT_SYSTEM = new Set([
  'EventID',
  'EventId',
  'TimeCreated',
  'SystemTime',
  'EventTime',
  'TimeGenerated',
  '@timestamp',
  'Computer',
  'Hostname',
  'ComputerName',
  'Channel',
  'EventRecordID',
  'RecordNumber',
  'Provider',
  'ProviderName',
  'SourceName',
  'Task',
]);

/** The flattened form: EventID, TargetUserName, … at the top level. */
function flat(v: Json): WinEvent | Quarantine {
  const data: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (FLAT_SYSTEM.has(k)) continue;
    if (k === 'EventData' || k === 'UserData') userData({ x }, data);
    else if (!isObject(x)) data[k] = str(x);
  }
  const first = (...keys: string[]) => keys.map((k) => v[k]).find((x) => x !== undefined && x !== '');
  return complete(
    {
      recordId: str(first('EventRecordID', 'RecordNumber')),
      eventId: str(first('EventID', 'EventId')),
      time: first('TimeCreated', 'SystemTime', 'EventTime', 'TimeGenerated', '@timestamp'),
      provider: str(first('Provider', 'ProviderName', 'SourceName')),
      channel: str(v['Channel']),
      computer: str(first('Computer', 'Hostname', 'ComputerName')),
      task: str(v['Task']),
      data,
    },
    { eventId: 'EventID', time: 'TimeCreated', computer: 'Computer' },
  );
}

interface Loose {
  recordId: string;
  eventId: string;
  time: unknown;
  provider: string;
  channel: string;
  computer: string;
  task: string;
  data: Record<string, string>;
}

/** The event, or the first required key that is missing or wrong (named as the shape names it). */
function complete(l: Loose, keys: { eventId: string; time: string; computer: string }): WinEvent | Quarantine {
  if (!/^\d{1,5}$/.test(l.eventId)) return quarantine(keys.eventId, l.eventId ? 'イベントIDが整数ではありません' : '値がありません');
  const timeMs = time(l.time);
  if (timeMs === undefined) return quarantine(keys.time, l.time === undefined ? '値がありません' : '日時が不正です (ISO 8601)');
  if (!l.computer) return quarantine(keys.computer, '値がありません');
  return {
    recordId: l.recordId,
    eventId: Number(l.eventId),
    timeMs,
    provider: l.provider,
    channel: l.channel,
    computer: l.computer,
    task: l.task,
    data: l.data,
  };
}

/** The latest minute isoTime() rendered, and its text up to the seconds ('YYYY-MM-DDTHH:MM:'). */
let isoMinute = NaN;
let isoMinuteText = '';
/** Years 1970–9999: the range where the fast path's text is toISOString's. */
const ISO_FAST_END = Date.UTC(10000, 0, 1);

/**
 * `new Date(ms).toISOString()`, the minute's text kept from the record
 * before (records of a file come in time order): ~0.7 µs a record saved of
 * an .evtx import's ~26 µs, measured.
 */
export function isoTime(ms: number): string {
  if (!(ms >= 0 && ms < ISO_FAST_END) || !Number.isInteger(ms)) return new Date(ms).toISOString();
  const minute = Math.floor(ms / 60_000);
  if (minute !== isoMinute) {
    isoMinute = minute;
    isoMinuteText = new Date(minute * 60_000).toISOString().slice(0, 17);
  }
  const inMinute = ms - minute * 60_000;
  const sec = Math.floor(inMinute / 1000);
  const milli = inMinute - sec * 1000;
  return `${isoMinuteText}${sec < 10 ? '0' : ''}${sec}.${milli < 100 ? (milli < 10 ? '00' : '0') : ''}${milli}Z`;
}

/**
 * The text kept as `raw` for an .evtx record: its fields in the evtx_dump
 * shape (one JSON line, read back by readWinEvent like any shipper's line).
 */
export function winEventJson(e: WinEvent): string {
  // written out (one string, not a tree of objects per record): the same text as JSON.stringify of the evtx_dump shape
  return (
    `{"Event":{"System":{"Provider":{"#attributes":{"Name":${jsonString(e.provider)}}},"EventID":${e.eventId},` +
    `"Task":${jsonString(e.task)},"TimeCreated":{"#attributes":{"SystemTime":"${isoTime(e.timeMs)}"}},` +
    `"EventRecordID":${jsonString(e.recordId)},"Channel":${jsonString(e.channel)},"Computer":${jsonString(e.computer)}},` +
    `"EventData":${e.dataJson ?? JSON.stringify(e.data)}}}`
  );
}

/** What JSON.stringify escapes in a string: quote, backslash, control characters, lone surrogates (any surrogate here). */
// eslint-disable-next-line no-control-regex -- the control characters are what JSON escapes
const JSON_ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * JSON.stringify(value) for a string: quoted as it is when nothing in it is
 * escaped (the usual account, computer or process name). A Windows record's
 * data as one JSON.stringify of its object cost ~1.4 µs; value by value with
 * this, ~0.9 µs (measured).
 */
export function jsonString(value: string): string {
  return JSON_ESCAPED.test(value) ? JSON.stringify(value) : `"${value}"`;
}
