import { loadConfig } from '@kansa/config';
import { myNumberCheckDigit } from '@kansa/domain/my-number';
import fc from 'fast-check';
import * as iconv from 'iconv-lite';
import { buildSourceSystems } from '../source-systems/source-system.registry';
import { eventBounds } from './event-checks';
import { HeaderMismatchError, RecordProcessor } from './record-processor';
import { rowText } from '../sink/row-bytes';

const config = loadConfig({ env: {} });
const systems = buildSourceSystems(config.sources);
const bounds = eventBounds(config.ingest, config.storage.retentionYears, Date.parse('2026-12-01T12:00:00+09:00'));
const processor = (source: string, expectHeader = false) =>
  new RecordProcessor(systems.get(source)!, { batchId: 'b1', source, instance: '', origin: 'test', expectHeader, bounds }, '');
const myNumber = fc.stringMatching(/^\d{11}$/).map((d) => d + myNumberCheckDigit(d));
const JUMIN_OK = '2025/04/14 08:08:06,K001198,斎藤 翔,100700,納税課,WS-100700-006,10.7.0.15,JR0001,ログイン,ログイン,,無,,0,正常';

describe('RecordProcessor (decode → mask → parse → normalize)', () => {
  it('never throws on random bytes and accounts for every record', () => {
    for (const source of ['jumin', 'atena', 'chukan', 'terminal', 'canonical']) {
      const p = processor(source);
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(1000), (bytes, lineNo) => {
          const r = p.process({ lineNo: lineNo + 2, bytes: Buffer.from(bytes) });
          expect(['ok', 'quarantine', 'skip']).toContain(r.kind);
          if (r.kind === 'quarantine') expect(`${r.field}: ${r.reason}`).toMatch(/^\S.*: \S/);
        }),
        { numRuns: 300 },
      );
    }
  });

  it('quarantines malformed variants of a valid line with the field named, never crashing', () => {
    const p = processor('jumin');
    const cols = JUMIN_OK.split(',');
    fc.assert(
      fc.property(fc.nat(cols.length - 1), fc.string({ maxLength: 12 }), fc.boolean(), (i, junk, dropColumn) => {
        const broken = [...cols];
        if (dropColumn) broken.splice(i, 1);
        else broken[i] = junk;
        const r = p.process({ lineNo: 5, bytes: iconv.encode(broken.join(','), 'cp932') });
        expect(['ok', 'quarantine', 'skip']).toContain(r.kind);
        if (dropColumn) expect(r).toMatchObject({ kind: 'quarantine', field: '(列数)', reason: '列数が15ではありません' });
      }),
      { numRuns: 500 },
    );
  });

  it('stores no valid 個人番号 in clear, whatever line it is in', () => {
    fc.assert(
      fc.property(myNumber, fc.constantFrom('jumin', 'chukan', 'terminal'), fc.boolean(), (n, source, breakLine) => {
        const text =
          source === 'chukan'
            ? JSON.stringify({
                time: '2026-09-01T09:00:00+09:00',
                operator: 'K1',
                func: '情報照会',
                serial: `S${n}`,
                count: breakLine ? 'x' : 1,
                result: '正常',
                item: n,
              })
            : source === 'jumin'
              ? JUMIN_OK.replace(',,0,', `,${breakLine ? n + ',' : ''}個人番号${n}を確認,0,`)
              : `2025-04-30 08:00:00,WS-1,DOM\\K001,10.0.0.1,${breakLine ? '不明' : '印刷'},${n},,,`;
        const r = processor(source).process({ lineNo: 3, bytes: iconv.encode(text, source === 'chukan' ? 'utf8' : 'cp932') });
        expect(r.kind).toBe(breakLine ? 'quarantine' : 'ok');
        if (r.kind !== 'skip') expect(rowText(r.kind === 'ok' ? r.value.row : r.row)).not.toContain(n);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps the bytes of an undecodable line, masked, for quarantine', () => {
    const bytes = Buffer.concat([iconv.encode(JUMIN_OK.replace(',,0,', ',123456789018,0,'), 'cp932'), Buffer.from([0x81, 0x20])]);
    const r = processor('jumin').process({ lineNo: 9, bytes });
    expect(r).toMatchObject({ kind: 'quarantine', field: '(文字コード)', reason: 'CP932として読めないバイト列があります' });
    if (r.kind !== 'quarantine') throw new Error();
    const b64 = r.row.trim().split('\t').pop()!;
    expect(Buffer.from(b64, 'base64').toString('latin1')).not.toContain('123456789018');
    expect(r.row).not.toContain('123456789018');
  });

  it('skips a repeated header and refuses a file whose first line is not the header', () => {
    const header = iconv.encode(systems.get('jumin')!.headerLine!, 'cp932');
    expect(processor('jumin', true).process({ lineNo: 1, bytes: header })).toMatchObject({ kind: 'skip' });
    expect(() => processor('jumin', true).process({ lineNo: 1, bytes: iconv.encode(JUMIN_OK, 'cp932') })).toThrow(HeaderMismatchError);
    // A UTF-8 file sent where CP932 is configured: refused by its header, with the encoding named.
    const utf8Header = Buffer.from(systems.get('jumin')!.headerLine!, 'utf8');
    expect(() => processor('jumin', true).process({ lineNo: 1, bytes: utf8Header })).toThrow(/line 1: .*not readable as cp932/);
  });
});
