import { EvtxEventInput, EvtxWriter } from '@kansa/demo/evtx-writer';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { EvtxEvent, EvtxItem, EvtxReader, filetimeMsAt, NotEvtxError, u64Text } from './evtx-reader';

const FIXTURES = join(__dirname, '../../../source-systems/windows/fixtures');

function read(bytes: Buffer, piece = bytes.length, general = false): EvtxItem[] {
  const r = new EvtxReader({ general });
  const out: EvtxItem[] = [];
  for (let i = 0; i < bytes.length; i += piece) out.push(...r.push(bytes.subarray(i, i + piece)));
  out.push(...r.end());
  return out;
}

const events = (items: EvtxItem[]): EvtxEvent[] => items.flatMap((i) => (i.kind === 'event' ? [i.event] : []));

function countIds(evs: EvtxEvent[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const e of evs) out[e.eventId] = (out[e.eventId] ?? 0) + 1;
  return out;
}

describe('EvtxReader on Security logs recorded by others (CC0)', () => {
  // The README of ../shared/real-logs/windows lists what each file holds.
  it.each([
    ['4624-pass-the-hash.evtx', { 1102: 1, 4624: 1, 4672: 1, 4688: 2, 4964: 1, 5145: 2 }],
    ['4625-bruteforce-valid-users.evtx', { 4624: 2, 4625: 5, 4648: 2, 4688: 2 }],
    ['4674-6416-external-device.evtx', { 4674: 2, 4688: 3, 6416: 1 }],
    ['4720-4726-created-deleted-user.evtx', { 4720: 1, 4726: 1 }],
    ['4720-local-user-created.evtx', { 4720: 1, 4732: 1 }],
    ['4776-4625-local-bruteforce.evtx', { 4625: 16 }],
  ])('%s: every record, checksums good, event IDs %j', (file, ids) => {
    const items = read(readFileSync(join(FIXTURES, file)));
    expect(items.filter((i) => i.kind === 'damaged')).toEqual([]);
    const evs = events(items);
    expect(countIds(evs)).toEqual(ids);
    for (const e of evs) expect(e.channel).toBe('Security');
    // the data's JSON text written while reading is JSON.stringify's (where the reader wrote it: most records)
    const written = evs.filter((e) => e.dataJson !== undefined);
    expect(written.length).toBeGreaterThanOrEqual(evs.length - 1);
    for (const e of written) expect(e.dataJson).toBe(JSON.stringify(e.data));
  });

  it('reads the fields of the records: the log clear (UserData), a logon, the print queue', () => {
    const [clear, , logon] = events(read(readFileSync(join(FIXTURES, '4624-pass-the-hash.evtx'))));
    expect(clear).toEqual({
      recordId: '67099',
      eventId: 1102,
      timeMs: Date.parse('2021-10-20T13:39:12.731Z'),
      provider: 'Microsoft-Windows-Eventlog',
      channel: 'Security',
      computer: 'FS03.offsec.lan',
      task: '104',
      data: {
        SubjectUserSid: 'S-1-5-21-4230534742-2542757381-3142984815-1111',
        SubjectUserName: 'admmig',
        SubjectDomainName: 'OFFSEC',
        SubjectLogonId: '0x1f4c65f',
      },
    });
    expect(logon.data).toMatchObject({ TargetUserName: 'admmig', LogonType: '9', IpAddress: '::1', ProcessId: '0x300' });
    const [device] = events(read(readFileSync(join(FIXTURES, '4674-6416-external-device.evtx'))));
    expect(device.data).toMatchObject({ ClassName: 'PrintQueue', DeviceId: 'SWD\\PRINTENUM\\{32FB2173-023E-43DF-9F82-0E851CC0D9BF}' });
  });

  it('reads every record by its compiled template (EventData embedded as Windows writes it) as the general path does', () => {
    for (const file of readdirSync(FIXTURES).filter((f) => f.endsWith('.evtx'))) {
      const bytes = readFileSync(join(FIXTURES, file));
      const fast = events(read(bytes));
      expect(fast.filter((e) => e.dataJson !== undefined).length).toBeGreaterThanOrEqual(fast.length - 1);
      expect(fast.map(({ dataJson: _, ...e }) => e)).toEqual(events(read(bytes, bytes.length, true)));
    }
  });

  it('gives the same items however the bytes arrive', () => {
    const bytes = readFileSync(join(FIXTURES, '4776-4625-local-bruteforce.evtx'));
    expect(read(bytes, 1000)).toEqual(read(bytes));
  });
});

describe('EvtxReader on files written by the demo writer', () => {
  const sample = (i: number): EvtxEventInput => ({
    eventId: i % 3 === 0 ? 4625 : 4624,
    timeMs: Date.parse('2026-04-01T00:00:00Z') + i * 1000,
    computer: `WS-${String(i % 7).padStart(3, '0')}.city.local`,
    data: [
      ['TargetUserName', `K${String(i % 50).padStart(6, '0')}`],
      ['TargetDomainName', 'CITY'],
      ['LogonType', String(i % 2 ? 2 : 3)],
      ['Note', '住民記録 端末 '.repeat(i % 5)],
      ['ObjectName', i % 4 === 0 ? `C:\\Users\\"K${i}"\t\u0001 𠮷` : ''],
    ],
  });

  it('reads back every event of a file of many chunks, in order', () => {
    const input = Array.from({ length: 3000 }, (_, i) => sample(i));
    const bytes = EvtxWriter.file(input);
    expect(bytes.length).toBeGreaterThan(4096 + 3 * 65536);
    const evs = events(read(bytes, 7777));
    expect(evs).toHaveLength(3000);
    evs.forEach((e, i) => {
      expect(e.recordId).toBe(String(i + 1));
      expect(e.eventId).toBe(input[i].eventId);
      expect(e.timeMs).toBe(input[i].timeMs);
      expect(e.computer).toBe(input[i].computer);
      expect(e.data).toEqual(Object.fromEntries(input[i].data));
      expect(e.dataJson).toBe(JSON.stringify(e.data));
    });
    expect(evs.map(({ dataJson: _, ...e }) => e)).toEqual(events(read(bytes, 7777, true)));
  });

  it('writes UserData as the log clear has it', () => {
    const bytes = EvtxWriter.file([
      {
        eventId: 1102,
        timeMs: 0,
        computer: 'PC',
        provider: 'Microsoft-Windows-Eventlog',
        userData: 'LogFileCleared',
        data: [['SubjectUserName', 'K000001']],
      },
    ]);
    expect(events(read(bytes))[0]).toMatchObject({
      eventId: 1102,
      provider: 'Microsoft-Windows-Eventlog',
      data: { SubjectUserName: 'K000001' },
    });
  });

  it('a damaged chunk is reported with its offset; the chunks around it are read', () => {
    const bytes = EvtxWriter.file(Array.from({ length: 3000 }, (_, i) => sample(i)));
    const all = events(read(bytes));
    const secondChunk = 4096 + 65536;
    const broken = Buffer.from(bytes);
    broken[secondChunk + 700] ^= 0xff; // a byte of a record: the chunk's data checksum no longer matches
    const items = read(broken);
    const damaged = items.filter((i) => i.kind === 'damaged');
    expect(damaged).toEqual([
      expect.objectContaining({ chunk: 1, offset: secondChunk, reason: 'イベントレコードのチェックサムが一致しません' }),
    ]);
    const kept = new Set(events(items).map((e) => e.recordId));
    const lost = all.filter((e) => !kept.has(e.recordId));
    // exactly the records of the damaged chunk are missing, and the damaged item names their range
    const d = damaged[0] as Extract<EvtxItem, { kind: 'damaged' }>;
    expect(lost.map((e) => e.recordId)).toEqual(
      Array.from({ length: Number(d.lastRecord) - Number(d.firstRecord) + 1 }, (_, i) => String(Number(d.firstRecord) + i)),
    );
    const header = Buffer.from(bytes);
    header[secondChunk + 30] ^= 0x01; // a chunk header field: its header checksum no longer matches
    expect(read(header).filter((i) => i.kind === 'damaged')).toEqual([
      expect.objectContaining({ chunk: 1, offset: secondChunk, reason: 'チャンクヘッダーのチェックサムが一致しません' }),
    ]);
  });

  it('a record whose checksums hold but whose content cannot be read is reported, in Japanese; the records around it are read', () => {
    const bytes = Buffer.from(EvtxWriter.file(Array.from({ length: 3 }, (_, i) => sample(i))));
    const chunk = 4096;
    const second = 512 + bytes.readUInt32LE(chunk + 512 + 4); // the second record, in the first chunk
    bytes[chunk + second + 24] = 0x06; // its first Binary XML token: an attribute, outside any element
    // the checksums made true again (as a file written by a faulty program would have them)
    const free = bytes.readUInt32LE(chunk + 48);
    bytes.writeUInt32LE(crc32(bytes.subarray(chunk + 512, chunk + free)), chunk + 52);
    bytes.writeUInt32LE(crc32(bytes.subarray(chunk + 128, chunk + 512), crc32(bytes.subarray(chunk, chunk + 120))), chunk + 124);
    const items = read(bytes);
    expect(items.map((i) => i.kind)).toEqual(['event', 'damaged', 'event']);
    expect(items[1]).toMatchObject({
      chunk: 0,
      reason: `レコード (チャンク内オフセット ${second}) を読めません: 想定外のバイナリXMLトークン 0x6 (チャンク内オフセット ${second + 24})`,
    });
  });

  it('a file cut in the middle of a chunk: the cut chunk is damaged, the rest read', () => {
    const bytes = EvtxWriter.file(Array.from({ length: 3000 }, (_, i) => sample(i)));
    const cut = bytes.subarray(0, 4096 + 65536 + 1000);
    const items = read(cut);
    expect(items.filter((i) => i.kind === 'damaged')).toEqual([expect.objectContaining({ chunk: 1, offset: 4096 + 65536 })]);
    expect(events(items).length).toBeGreaterThan(100);
  });

  it('refuses a file that is not EVTX', () => {
    expect(() => read(Buffer.alloc(5000, 0x41))).toThrow(NotEvtxError);
  });
});

describe('EvtxReader: 64-bit values without BigInt', () => {
  it('reads record numbers and FILETIMEs as the BigInt arithmetic does, over the whole 64-bit range', () => {
    const u64 = fc.oneof(
      fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      // around 1970 (EPOCH_FILETIME) and 2⁵³, where the arithmetic changes
      fc.bigInt({ min: 116444736000000000n - 100000n, max: 116444736000000000n + 100000n }),
      fc.bigInt({ min: 2n ** 53n - 1000n, max: 2n ** 53n + 1000n }),
    );
    fc.assert(
      fc.property(u64, (v) => {
        const b = Buffer.alloc(8);
        b.writeBigUInt64LE(v);
        expect(u64Text(b, 0)).toBe(v.toString());
        expect(filetimeMsAt(b, 0)).toBe(Number((v - 116444736000000000n) / 10000n));
      }),
      { numRuns: 5000 },
    );
  });
});
