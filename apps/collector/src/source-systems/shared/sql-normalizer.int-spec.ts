import { openTestStore, TestStore } from '@kansa/test-kit';
import fc from 'fast-check';
import { isUtf8 } from 'node:buffer';
import { DecodeStep } from '../../pipeline/decode.step';
import { NOT_PLAIN, scanPlain } from '../../pipeline/plain-lines';
import { buildSourceSystems } from '../source-system.registry';
import { normalizedLinesSql } from './sql-normalizer';
import { SourceSystem } from './source-system';
import { eventColumns } from '../../pipeline/record-processor';

/**
 * The SQL twins (ClickHouse normalizing plain lines itself) must never accept
 * a line zod refuses, and must give exactly zod's values for the lines they
 * accept; they should accept the ordinary valid lines (or the lean path is
 * never taken). Random lines: valid ones with fields replaced by awkward text.
 */

const AWKWARD = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom(
    '',
    ' ',
    '0',
    '00',
    '-1',
    '4294967295',
    '4294967296',
    '99999999999',
    '１２',
    '1e3',
    '0x10',
    '\\',
    '\t',
    'Z',
    '2026/09/31 10:00:00',
    '2025/02/29 08:00:00',
    '2024/02/29 23:59:59',
    '2025/04/14 24:00:00',
    '1969/12/31 23:59:59',
    '2025-04-14 08:00:00',
    '2025-04-14T08:00:00+09:00',
    '2025-04-14T08:00:00.1234567+09:00',
    '2025-04-14T08:00:00Z',
    '2025-04-14T08:00:00+14:59',
    '2025-04-14T08:00:00+15:00',
    '2025-04-14T08:00:00-03:30',
    '2025-13-01T00:00:00+09:00',
    '256.1.1.1',
    '10.0.0.01',
    '10.0.0.1',
    '01.2.3.4',
    'DOM\\',
    'DOM\\K001',
    '\\K001',
    '照会',
    '個人番号照会',
    '有',
    '無',
    'エラー',
    'NG',
  ),
);

interface Case {
  name: string;
  /** Ordinary valid lines. */
  valid: () => fc.Arbitrary<string>;
  /** Valid lines with awkward changes (most of them invalid). */
  awkward: () => fc.Arbitrary<string>;
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');
const jstSlash = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2090-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => {
  const j = new Date(d.getTime() + 9 * 3600_000);
  return `${j.getUTCFullYear()}/${pad(j.getUTCMonth() + 1, 2)}/${pad(j.getUTCDate(), 2)} ${pad(j.getUTCHours(), 2)}:${pad(j.getUTCMinutes(), 2)}:${pad(j.getUTCSeconds(), 2)}`;
});
const isoTimes = fc.constantFrom(
  '2025-04-14T08:00:00+09:00',
  '2025-04-14T08:00:00.123+09:00',
  '2025-04-14T23:59:59.9+00:00',
  '2024-02-29T00:00:00Z',
  '2025-04-14T08:00:00.123456789-05:30',
);

/** A CSV system: a valid line, sometimes with one or two fields replaced by awkward text (or a column dropped or added). */
function csvCase(name: string, fields: () => fc.Arbitrary<string[]>): Case {
  return {
    name,
    valid: () => fields().map((f) => f.join(',')),
    awkward: () =>
      fc
        .tuple(fields(), fc.array(fc.tuple(fc.nat(20), AWKWARD), { maxLength: 2 }), fc.constantFrom('keep', 'keep', 'keep', 'drop', 'add'))
        .map(([f0, changes, shape]) => {
          const f = [...f0];
          for (const [i, v] of changes) if (i < f.length) f[i] = v;
          if (shape === 'drop') f.pop();
          if (shape === 'add') f.push('x');
          return f.join(',');
        })
        .filter((l) => !l.includes('\n') && !l.includes('\r')),
  };
}

const AWKWARD_JSON = fc.oneof(
  AWKWARD,
  fc.constantFrom(0, 1, -1, 1.5, 1e3, 4294967295, 4294967296, 2 ** 53 + 2, null, true, false, [], {}, '1', ''),
  fc.integer({ min: -5, max: 5 }),
);

/** 中間サーバー objects: valid ones, with keys removed, changed to awkward values or types, added, repeated, escaped, or broken JSON. */
const chukanCase: Case = (() => {
  const valid = () =>
    fc.record(
      {
        time: isoTimes,
        operator: fc.constantFrom('K000123', 'K1'),
        terminal: fc.constantFrom('CHK-TERM-03', ''),
        func: fc.constantFrom('情報照会', 'ログイン', '一括照会'),
        procedure: fc.constant('JT0123'),
        partner: fc.constantFrom('厚生労働省', '日本年金機構'),
        item: fc.constant('TK0001'),
        subject: fc.constantFrom('000012345678901', '010000000053217'),
        serial: fc.constantFrom('Q20260901000123', 'S1'),
        count: fc.constantFrom(0, 1, 4294967295),
        result: fc.constantFrom('正常', '異常'),
      },
      { requiredKeys: ['time', 'operator', 'func', 'serial', 'count', 'result'] },
    );
  return {
    name: 'chukan',
    valid: () => valid().map((o) => JSON.stringify(o)),
    awkward: () =>
      fc
        .tuple(
          valid(),
          fc.array(
            fc.tuple(
              fc.constantFrom('time', 'operator', 'terminal', 'func', 'partner', 'subject', 'serial', 'count', 'result', 'extra'),
              fc.option(AWKWARD_JSON),
            ),
            { maxLength: 2 },
          ),
          fc.constantFrom('plain', 'plain', 'plain', 'repeat', 'escape', 'spaces', 'array', 'broken', 'trailing'),
        )
        .map(([o, changes, shape]) => {
          const obj: Record<string, unknown> = { ...o };
          for (const [k, v] of changes) {
            if (v === null) delete obj[k];
            else obj[k] = v;
          }
          const text = JSON.stringify(obj);
          switch (shape) {
            case 'repeat':
              return text.replace(/}$/, `,"operator":"K999"}`);
            case 'escape':
              return text.replace('"result":"', '"result":"\\u6b63');
            case 'spaces':
              return ` ${text.replace(/,/g, ', ')} `;
            case 'array':
              return `[${text}]`;
            case 'broken':
              return text.slice(0, -1);
            case 'trailing':
              return `${text} x`;
            default:
              return text;
          }
        }),
  };
})();

const CASES: Case[] = [
  csvCase('jumin', () =>
    fc.tuple(
      jstSlash,
      fc.constantFrom('K001198', 'K1'),
      fc.constantFrom('髙﨑 翔', ''),
      fc.constantFrom('100700', '012345'),
      fc.constant('納税課'),
      fc.constant('WS-1'),
      fc.constantFrom('10.7.0.15', '', '255.255.255.255'),
      fc.constantFrom('JR0101', ''),
      fc.constant('住民票照会'),
      fc.constantFrom('照会', '検索', 'CSV出力', 'ログイン失敗'),
      fc.constantFrom('0000012345', ''),
      fc.constantFrom('有', '無'),
      fc.constantFrom('窓口申請', ''),
      fc.constantFrom('0', '1', '4294967295'),
      fc.constantFrom('正常', 'エラー'),
    ),
  ),
  csvCase('atena', () =>
    fc.tuple(
      isoTimes,
      fc.constant('K001198'),
      fc.constant('100700'),
      fc.constant('WS-1'),
      fc.constant('Z01'),
      fc.constantFrom('宛名照会', '個人番号照会', '一覧出力'),
      fc.constantFrom('123456789012345', ''),
      fc.constantFrom('1', '25'),
      fc.constantFrom('OK', 'NG'),
    ),
  ),
  csvCase('terminal', () =>
    fc.tuple(
      jstSlash.map((t) => t.replace(/\//g, '-')),
      fc.constant('WS-1'),
      fc.constantFrom('SAMPLE\\K001198', 'K001198', 'A\\B\\K1'),
      fc.constantFrom('10.0.0.1', ''),
      fc.constantFrom('ログオン', 'ログオン失敗', 'USB接続', '印刷'),
      fc.constantFrom('詳細', ''),
      fc.constantFrom('USB\\VID_0781', ''),
      fc.constantFrom('C:\\帳票\\a.pdf', ''),
      fc.constantFrom('', '123'),
    ),
  ),
  chukanCase,
];

interface TwinRow {
  line_no: string;
  ok: boolean;
  raw: string;
  ts_ms: string;
  user_id: string;
  user_name: string;
  department_code: string;
  terminal_id: string;
  client_ip: string;
  action: string;
  screen_id: string;
  business_code: string;
  subject_id: string;
  my_number_shown: boolean;
  record_count: number;
  reason: string;
  outcome: string;
  object: string;
  source_event_id: string;
}

/** A line as UTF-8 bytes, sometimes with a part between commas replaced by random bytes; only the plain ones (those staged undecoded). */
const lineBytes = (c: Case) =>
  fc
    .tuple(c.awkward(), fc.option(fc.tuple(fc.nat(20), fc.uint8Array({ minLength: 1, maxLength: 6 })), { freq: 2 }))
    .map(([text, junk]) => {
      const fields = text.split(',').map((f) => Buffer.from(f, 'utf8'));
      if (junk && junk[0] < fields.length) fields[junk[0]] = Buffer.from(junk[1]);
      return Buffer.concat(fields.flatMap((f, i) => (i === 0 ? [f] : [Buffer.from(','), f])));
    })
    .filter((b) => !b.includes(0x0a) && !b.includes(0x0d) && scanPlain(b, c.name === 'chukan') !== NOT_PLAIN);

describe('SQL twins of the source systems agree with zod', () => {
  let store: TestStore;
  let systems: Map<string, SourceSystem>;

  beforeAll(async () => {
    store = await openTestStore();
    systems = buildSourceSystems(store.config.sources);
    await store.client.command({ query: 'CREATE TABLE twin_hex (line_no UInt64, from_text UInt8, hex String) ENGINE = Memory' });
    await store.client.command({
      query: 'CREATE TABLE twin_lines (line_no UInt64, origin String, from_text UInt8, raw String) ENGINE = Memory',
    });
  });
  afterAll(() => store.close());

  /** The twin over staged lines: text (as decoded by kansa) or bytes (as received). */
  async function twin(system: SourceSystem, lines: Array<string | Buffer>): Promise<TwinRow[]> {
    await store.client.command({ query: 'TRUNCATE TABLE twin_hex' });
    await store.client.command({ query: 'TRUNCATE TABLE twin_lines' });
    const values = lines.map((l, i) => ({ line_no: i, from_text: typeof l === 'string' ? 1 : 0, hex: Buffer.from(l).toString('hex') }));
    await store.client.insert({ table: 'twin_hex', values, format: 'JSONEachRow' });
    await store.client.command({ query: "INSERT INTO twin_lines SELECT line_no, '', from_text, unhex(hex) FROM twin_hex" });
    return store.rows<TwinRow>(
      `SELECT * EXCEPT (refused_raw) FROM (${normalizedLinesSql(system.sql!, 'twin_lines', { source: system.name, instance: '', batch: 'b' })}) ORDER BY line_no`,
    );
  }

  /** For every line the twin accepts: kansa's decoder and zod accept it too, with the same text and values. */
  function expectAgreement(system: SourceSystem, lines: Array<string | Buffer>, rows: TwinRow[], seed: number): number {
    const decoder = new DecodeStep(system.config.encoding);
    let accepted = 0;
    for (const r of rows) {
      if (!r.ok) continue;
      accepted++;
      const line = lines[Number(r.line_no)];
      const decoded = typeof line === 'string' ? { kind: 'ok' as const, value: line } : decoder.decode(line);
      const context = { seed, line: typeof line === 'string' ? line : line.toString('hex') };
      expect({ ...context, text: decoded.kind === 'ok' ? decoded.value : '(not decodable)' }).toEqual({ ...context, text: r.raw });
      const js = system.parse(r.raw);
      expect({ ...context, zodAccepts: js.kind === 'ok' }).toEqual({ ...context, zodAccepts: true });
      if (js.kind !== 'ok') continue;
      const e = js.value;
      expect({
        ...context,
        row: {
          ts_ms: Number(r.ts_ms),
          user_id: r.user_id,
          user_name: r.user_name,
          department_code: r.department_code,
          terminal_id: r.terminal_id,
          client_ip: r.client_ip,
          action: r.action,
          screen_id: r.screen_id,
          business_code: r.business_code,
          subject_id: r.subject_id,
          my_number_shown: r.my_number_shown,
          record_count: Number(r.record_count),
          reason: r.reason,
          outcome: r.outcome,
          object: r.object,
          source_event_id: r.source_event_id,
        },
      }).toEqual({ ...context, row: eventColumns(e) });
    }
    return accepted;
  }

  it.each(CASES.map((c) => [c.name, c] as const))(
    '%s: a line the twin accepts is one zod accepts, with the same values',
    async (_name, c) => {
      const system = systems.get(c.name)!;
      const seed = Date.now();
      const lines = fc.sample(c.awkward(), { numRuns: 3000, seed });
      const accepted = expectAgreement(system, lines, await twin(system, lines), seed);
      // Both kinds occur: the twin takes most lines, and refuses some.
      expect(accepted).toBeGreaterThan(lines.length / 10);
      expect(accepted).toBeLessThan(lines.length);
    },
  );

  it.each(CASES.filter((c) => c.name === 'atena' || c.name === 'chukan').map((c) => [c.name, c] as const))(
    '%s: undecoded UTF-8 lines (with random bytes) the twin accepts decode and validate the same in kansa',
    async (_name, c) => {
      const system = systems.get(c.name)!;
      const seed = Date.now();
      const lines = fc.sample(lineBytes(c), { numRuns: 3000, seed });
      const rows = await twin(system, lines);
      const accepted = expectAgreement(system, lines, rows, seed);
      expect(accepted).toBeGreaterThan(lines.length / 10);
      expect(accepted).toBeLessThan(lines.length);
      // invalid UTF-8 is refused (kansa quarantines it with its reason)
      const invalid = lines.filter((l) => !isUtf8(l)).length;
      expect(invalid).toBeGreaterThan(0);
      expect(rows.filter((r) => r.ok && !isUtf8(lines[Number(r.line_no)]))).toEqual([]);
    },
  );

  it.each(CASES.map((c) => [c.name, c] as const))('%s: the twin accepts every ordinary valid line', async (_name, c) => {
    const system = systems.get(c.name)!;
    const lines = fc.sample(c.valid(), { numRuns: 500 });
    const rows = await twin(system, lines);
    expect(rows.filter((r) => !r.ok).map((r) => lines[Number(r.line_no)])).toEqual([]);
    expect(lines.every((l) => system.parse(l).kind === 'ok')).toBe(true);
    if (system.config.encoding === 'utf8') {
      const bytes = lines.map((l) => Buffer.from(l, 'utf8'));
      expect((await twin(system, bytes)).filter((r) => !r.ok).map((r) => lines[Number(r.line_no)])).toEqual([]);
    }
  });
});
