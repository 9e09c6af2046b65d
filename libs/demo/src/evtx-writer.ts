import { crc32 } from 'node:zlib';

/**
 * Writes Windows XML Event Log files (.evtx, format 3.1) the way Windows
 * lays them out: a 4 KiB file header, then 64 KiB chunks whose records are
 * template instances (a template defined inline the first time a chunk uses
 * it, then referred to by offset) with substitution values — the Event's
 * System fields, and its data as embedded Binary XML holding a template
 * instance of their own, as in files recorded on Windows — element names
 * defined inline once per chunk, and the CRC-32 checksums of the header,
 * each chunk header and each chunk's records. For the demo and the benchmark
 * (the municipal PCs' Security logs); the collector's reader is tested on
 * real files recorded by others as well.
 */

const HEADER_SIZE = 4096;
const CHUNK_SIZE = 65536;
const CHUNK_DATA = 512;
const EPOCH_FILETIME = 116444736000000000n;

/** One event to write: the System fields and the data items (EventData, or UserData under `userData`). */
export interface EvtxEventInput {
  eventId: number;
  timeMs: number;
  computer: string;
  channel?: string;
  provider?: string;
  task?: number;
  data: ReadonlyArray<readonly [string, string]>;
  /** Writes the items as UserData/<userData>/<name> (e.g. LogFileCleared of event 1102) instead of EventData/Data[@Name]. */
  userData?: string;
}

const T_STRING = 0x01;
const T_UINT16 = 0x06;
const T_UINT64 = 0x0a;
const T_FILETIME = 0x11;
const T_BINXML = 0x21;

/** A substitution a template takes: its number and value type. */
interface Sub {
  id: number;
  type: number;
}

/** Byte builder with back-patching. */
class Bytes {
  buf = Buffer.alloc(CHUNK_SIZE * 2);
  len = 0;
  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  u8(v: number): void {
    this.ensure(1);
    this.buf[this.len++] = v;
  }
  u16(v: number): void {
    this.ensure(2);
    this.buf.writeUInt16LE(v, this.len);
    this.len += 2;
  }
  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.len);
    this.len += 4;
  }
  u64(v: bigint): void {
    this.ensure(8);
    this.buf.writeBigUInt64LE(v, this.len);
    this.len += 8;
  }
  raw(b: Buffer): void {
    this.ensure(b.length);
    b.copy(this.buf, this.len);
    this.len += b.length;
  }
}

/** One template: the shape of an event (its System fields and data names) with the substitutions it takes. */
interface Shape {
  key: string;
  names: string[];
  userData?: string;
}

/** A chunk being filled: its bytes, the names and templates already defined in it. */
class Chunk {
  readonly b = new Bytes();
  readonly names = new Map<string, number>();
  readonly templates = new Map<string, number>();
  firstRecord = 0n;
  lastRecord = 0n;
  records = 0;
  constructor() {
    this.b.len = CHUNK_DATA;
  }
}

/**
 * Accumulates events and hands out finished 64 KiB chunks (chunks()), so a
 * caller streams a file of any size with one chunk in memory; header() gives
 * the file header once every chunk is out.
 */
export class EvtxWriter {
  private chunk = new Chunk();
  private readonly done: Buffer[] = [];
  private nextRecord = 1n;
  private chunkCount = 0;

  constructor(firstRecordId = 1n) {
    this.nextRecord = firstRecordId;
  }

  add(ev: EvtxEventInput): void {
    const record = this.render(this.chunk, ev);
    if (record === undefined) {
      this.flush();
      const again = this.render(this.chunk, ev);
      if (again === undefined) throw new Error('an event larger than a chunk');
    }
  }

  /** Chunks completed so far (each 64 KiB), taken out of the writer. */
  chunks(): Buffer[] {
    return this.done.splice(0);
  }

  /** Completes the last chunk; returns the remaining chunks and the file header to write at offset 0. */
  finish(): { chunks: Buffer[]; header: Buffer } {
    if (this.chunk.records > 0) this.flush();
    return { chunks: this.chunks(), header: this.header() };
  }

  /** A whole file in memory (small files: tests). */
  static file(events: Iterable<EvtxEventInput>, firstRecordId = 1n): Buffer {
    const w = new EvtxWriter(firstRecordId);
    const parts: Buffer[] = [];
    for (const e of events) {
      w.add(e);
      parts.push(...w.chunks());
    }
    const { chunks, header } = w.finish();
    return Buffer.concat([header, ...parts, ...chunks]);
  }

  private header(): Buffer {
    const h = Buffer.alloc(HEADER_SIZE);
    h.write('ElfFile\0', 0, 'latin1');
    h.writeBigUInt64LE(0n, 8);
    h.writeBigUInt64LE(BigInt(Math.max(0, this.chunkCount - 1)), 16);
    h.writeBigUInt64LE(this.nextRecord, 24);
    h.writeUInt32LE(128, 32);
    h.writeUInt16LE(1, 36);
    h.writeUInt16LE(3, 38);
    h.writeUInt16LE(HEADER_SIZE, 40);
    h.writeUInt16LE(this.chunkCount, 42);
    h.writeUInt32LE(0, 120);
    h.writeUInt32LE(crc32(h.subarray(0, 120)), 124);
    return h;
  }

  private flush(): void {
    const c = this.chunk;
    const out = Buffer.alloc(CHUNK_SIZE);
    c.b.buf.copy(out, 0, 0, c.b.len);
    out.write('ElfChnk\0', 0, 'latin1');
    out.writeBigUInt64LE(c.firstRecord, 8);
    out.writeBigUInt64LE(c.lastRecord, 16);
    out.writeBigUInt64LE(c.firstRecord, 24);
    out.writeBigUInt64LE(c.lastRecord, 32);
    out.writeUInt32LE(128, 40);
    out.writeUInt32LE(c.records > 0 ? c.b.len : CHUNK_DATA, 44);
    out.writeUInt32LE(c.b.len, 48);
    out.writeUInt32LE(crc32(out.subarray(CHUNK_DATA, c.b.len)), 52);
    out.writeUInt32LE(crc32(out.subarray(128, 512), crc32(out.subarray(0, 120))), 124);
    this.done.push(out);
    this.chunkCount++;
    this.chunk = new Chunk();
  }

  /**
   * Appends the record to the chunk; undefined (chunk unchanged) when it does
   * not fit. Laid out as Windows does: a template instance of the Event
   * (System) whose last substitution is Binary XML holding the data as a
   * template instance of their own (EventData, or UserData).
   */
  private render(c: Chunk, ev: EvtxEventInput): true | undefined {
    const b = c.b;
    const start = b.len;
    const names = c.names.size;
    const templates = c.templates.size;
    const shape: Shape = {
      key: `${ev.userData ?? ''}|${ev.data.map((d) => d[0]).join(',')}`,
      names: ev.data.map((d) => d[0]),
      userData: ev.userData,
    };
    const id = this.nextRecord;
    const ft = BigInt(ev.timeMs) * 10000n + EPOCH_FILETIME;
    b.u32(0x00002a2a);
    const sizeAt = b.len;
    b.u32(0);
    b.u64(id);
    b.u64(ft);
    this.instance(c, 'Event', () => this.eventTemplate(c), [
      [T_STRING, utf16(ev.provider ?? 'Microsoft-Windows-Security-Auditing')],
      [T_UINT16, u16(ev.eventId)],
      [T_UINT16, u16(ev.task ?? 0)],
      [T_FILETIME, u64(ft)],
      [T_UINT64, u64(id)],
      [T_STRING, utf16(ev.channel ?? 'Security')],
      [T_STRING, utf16(ev.computer)],
      [
        T_BINXML,
        () =>
          this.instance(
            c,
            `data:${shape.key}`,
            () => this.dataTemplate(c, shape),
            ev.data.map(([, v]) => [T_STRING, utf16(v)]),
          ),
      ],
    ]);
    const size = b.len - start + 4;
    b.u32(size);
    if (b.len > CHUNK_SIZE) {
      // does not fit: undo (names and templates defined by this record are forgotten)
      b.len = start;
      if (c.templates.size > templates) for (const [k, at] of [...c.templates]) if (at >= start) c.templates.delete(k);
      if (c.names.size > names) for (const [n, at] of [...c.names]) if (at >= start) c.names.delete(n);
      return undefined;
    }
    b.buf.writeUInt32LE(size, sizeAt);
    if (c.records === 0) c.firstRecord = id;
    c.lastRecord = id;
    c.records++;
    this.nextRecord = id + 1n;
    return true;
  }

  /**
   * A fragment holding one template instance: the template (`key`) defined
   * inline the first time in the chunk (`define` writes its body), referred
   * to by offset afterwards, then the substitution values (a value given as
   * a function writes itself: embedded Binary XML, sized once written).
   */
  private instance(c: Chunk, key: string, define: () => void, values: Array<[number, Buffer | (() => void)]>): void {
    const b = c.b;
    b.raw(Buffer.from([0x0f, 0x01, 0x01, 0x00]));
    b.u8(0x0c);
    b.u8(0x01);
    b.u32(hash(key));
    const defAt = c.templates.get(key);
    if (defAt === undefined) {
      b.u32(b.len + 4);
      c.templates.set(key, b.len);
      b.u32(0);
      b.raw(Buffer.alloc(16, 0x5a));
      const sizeField = b.len;
      b.u32(0);
      const from = b.len;
      b.raw(Buffer.from([0x0f, 0x01, 0x01, 0x00]));
      define();
      b.u8(0x00);
      b.buf.writeUInt32LE(b.len - from, sizeField);
    } else b.u32(defAt);
    b.u32(values.length);
    const sizesAt = b.len;
    for (const [type, v] of values) {
      b.u16(typeof v === 'function' ? 0 : v.length);
      b.u8(type);
      b.u8(0);
    }
    values.forEach(([, v], i) => {
      if (typeof v !== 'function') return b.raw(v);
      const from = b.len;
      v();
      b.buf.writeUInt16LE(b.len - from, sizesAt + i * 4);
    });
    b.u8(0x00);
  }

  /** The Event template: System (substitutions 0–6), then the data as Binary XML (substitution 7). */
  private eventTemplate(c: Chunk): void {
    this.element(c, 'Event', [], () => {
      this.element(c, 'System', [], () => {
        this.element(c, 'Provider', [['Name', { id: 0, type: T_STRING }]], () => undefined);
        this.element(c, 'EventID', [], () => this.sub(c, { id: 1, type: T_UINT16 }));
        this.element(c, 'Task', [], () => this.sub(c, { id: 2, type: T_UINT16 }));
        this.element(c, 'TimeCreated', [['SystemTime', { id: 3, type: T_FILETIME }]], () => undefined);
        this.element(c, 'EventRecordID', [], () => this.sub(c, { id: 4, type: T_UINT64 }));
        this.element(c, 'Channel', [], () => this.sub(c, { id: 5, type: T_STRING }));
        this.element(c, 'Computer', [], () => this.sub(c, { id: 6, type: T_STRING }));
      });
      this.sub(c, { id: 7, type: T_BINXML });
    });
  }

  /** The data template of a shape: EventData/Data[@Name] or UserData/<name>/<item>, one substitution each. */
  private dataTemplate(c: Chunk, shape: Shape): void {
    if (shape.userData) {
      const userData = shape.userData;
      this.element(c, 'UserData', [], () =>
        this.element(c, userData, [], () => shape.names.forEach((n, i) => this.element(c, n, [], () => this.sub(c, { id: i, type: T_STRING })))),
      );
    } else {
      this.element(c, 'EventData', [], () =>
        shape.names.forEach((n, i) => this.element(c, 'Data', [['Name', n]], () => this.sub(c, { id: i, type: T_STRING }))),
      );
    }
  }

  /** An element and its attributes ([name, value]: a substitution, or literal text as `Data Name="…"` has). */
  private element(c: Chunk, name: string, attrs: Array<[string, Sub | string]>, body: () => void): void {
    const b = c.b;
    b.u8(attrs.length ? 0x41 : 0x01);
    b.u16(0xffff);
    const sizeAt = b.len;
    b.u32(0);
    this.name(c, name);
    const from = b.len;
    if (attrs.length) {
      const listAt = b.len;
      b.u32(0);
      attrs.forEach(([n, value], i) => {
        b.u8(i < attrs.length - 1 ? 0x46 : 0x06);
        this.name(c, n);
        if (typeof value !== 'string') return this.sub(c, value);
        b.u8(0x05);
        b.u8(T_STRING);
        b.u16(value.length);
        b.raw(Buffer.from(value, 'utf16le'));
      });
      b.buf.writeUInt32LE(b.len - listAt - 4, listAt);
    }
    b.u8(0x02);
    body();
    b.u8(0x04);
    b.buf.writeUInt32LE(b.len - from, sizeAt);
  }

  /** An optional substitution token. */
  private sub(c: Chunk, { id, type }: Sub): void {
    c.b.u8(0x0e);
    c.b.u16(id);
    c.b.u8(type);
  }

  /** A name reference: inline (defined here) the first time in the chunk, by offset afterwards. */
  private name(c: Chunk, name: string): void {
    const b = c.b;
    const at = c.names.get(name);
    if (at !== undefined) {
      b.u32(at);
      return;
    }
    const here = b.len + 4;
    b.u32(here);
    c.names.set(name, here);
    b.u32(0);
    b.u16(hash(name) & 0xffff);
    b.u16(name.length);
    b.raw(Buffer.from(name, 'utf16le'));
    b.u16(0);
  }
}

function utf16(s: string): Buffer {
  return Buffer.from(s, 'utf16le');
}
function u16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v);
  return b;
}
function u64(v: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(v);
  return b;
}
function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 65599) + s.charCodeAt(i)) >>> 0;
  return h;
}
