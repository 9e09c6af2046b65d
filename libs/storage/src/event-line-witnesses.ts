import { ClickHouseClient } from '@clickhouse/client';
import { EventRow } from './event-columns';
import { lineDefinition } from './event-line-residual';
import { StorageUnavailableError } from './storage-errors';

/**
 * Since migration 240 an event's line is read back by the engine (`raw`, an
 * ALIAS) from its stored residual and the row's columns: the time formatted
 * in four forms, nine values put back in place. A line is checked when it is
 * stored, by the engine that stores it. A later engine — kansa upgraded with
 * a newer chDB, or the data moved to a ClickHouse server of another version —
 * must read those stored residuals back the same way, or the evidence an
 * auditor opens and the digests `kansa verify` recomputes would change.
 *
 * These witnesses are residuals as this version stores them, written down
 * here once (`event-line.int-spec.ts` checks that an insert stores exactly
 * these): one for each form of the time and every value the residual takes
 * out. `checkLinesReadBack` runs them through the connected engine's own
 * definition of the line at every start.
 */
export interface LineWitness {
  /** The row's values the line names (the other columns empty). */
  readonly row: Partial<EventRow> & Pick<EventRow, 'ts' | 'source'>;
  /** The line as received. */
  readonly line: string;
  /** What this version stores for it (`raw_residual`). */
  readonly residual: string;
}

export const LINE_WITNESSES: readonly LineWitness[] = [
  {
    row: {
      ts: '2025-05-14 14:10:54.000',
      source: 'jumin',
      user_id: 'K021081',
      user_name: '山﨑 大輔',
      department_code: '100700',
      terminal_id: 'WS-100700-3213',
      client_ip: '10.7.13.102',
      screen_id: 'JR0201',
      subject_id: '1005372928',
      reason: '納税相談',
    },
    line: '2025/05/14 14:10:54,K021081,山﨑 大輔,100700,納税課,WS-100700-3213,10.7.13.102,JR0201,住民照会,照会,1005372928,無,納税相談,1,正常',
    residual: '\x01,\x0B,\x0C,\x10,納税課,\x08,\x07,\x0E,住民照会,照会,\x05,無,\x0F,1,正常',
  },
  {
    row: {
      ts: '2025-05-14 09:34:47.534',
      source: 'atena',
      user_id: 'K001001',
      department_code: '100100',
      terminal_id: 'WS-100100-001',
      subject_id: '010000011649764',
    },
    line: '2025-05-14T09:34:47.534+09:00,K001001,100100,WS-100100-001,J01,宛名照会,010000011649764,1,OK',
    residual: '\x03+09:00,\x0B,\x10,\x08,J01,宛名照会,\x05,1,OK',
  },
  {
    row: {
      ts: '2025-05-14 08:28:15.840',
      source: 'chukan',
      user_id: 'K001010',
      terminal_id: 'CHK-TERM-01',
      source_event_id: 'Q20250514000596',
    },
    line: '{"time":"2025-05-14T08:28:15.840+09:00","operator":"K001010","terminal":"CHK-TERM-01","func":"ログイン","serial":"Q20250514000596","count":0,"result":"正常"}',
    residual: '{"time":"\x03+09:00","operator":"\x0B","terminal":"\x08","func":"ログイン","serial":"\x06","count":0,"result":"正常"}',
  },
  {
    row: { ts: '2025-05-14 08:43:10.000', source: 'terminal', user_id: 'K001001', terminal_id: 'WS-100100-001', client_ip: '10.1.0.10' },
    line: '2025-05-14 08:43:10,WS-100100-001,CITY\\K001001,10.1.0.10,ログオン,ログオン,,,',
    residual: '\x02,\x08,CITY\\\x0B,\x07,ログオン,ログオン,,,',
  },
  {
    row: { ts: '2025-05-14 08:43:10.573', source: 'windows', user_id: 'K001001', terminal_id: 'WS-100100-001', client_ip: '10.1.0.10' },
    line: '{"Event":{"System":{"EventID":4624,"TimeCreated":{"SystemTime":"2025-05-13T23:43:10.573Z"},"Computer":"WS-100100-001.city.local"},"EventData":{"TargetUserName":"K001001","IpAddress":"10.1.0.10"}}}',
    residual:
      '{"Event":{"System":{"EventID":4624,"TimeCreated":{"SystemTime":"\x04Z"},"Computer":"\x08.city.local"},"EventData":{"TargetUserName":"\x0B","IpAddress":"\x07"}}}',
  },
];

/**
 * The engine reads a stored line back other than it was stored: storage is
 * not opened (as a directory in use is not), since every line read would be
 * altered evidence. Nothing is written before the check.
 */
export class LineReadBackError extends StorageUnavailableError {}

/**
 * Reads every witness back through the connected engine's definition of the
 * line (the ALIAS `raw_rebuilt` of `events`, with the columns' own types), all
 * in one query, and refuses, naming the witness, if one comes back other than
 * received. Does nothing on a table before migration 240 (no line is stored as
 * a residual).
 */
export async function checkLinesReadBack(client: ClickHouseClient): Promise<void> {
  const definition = await lineDefinition(client);
  if (!definition) return;
  const { rebuilt, types } = definition;
  // every column the definition reads: a witness's value, or empty as in its row
  const read = [...types.keys()].filter((name) => new RegExp(`\\b${name}\\b`).test(rebuilt));
  const params: Record<string, string> = {};
  const rows = LINE_WITNESSES.map((witness, w) => {
    const given: Record<string, string> = { ...stringValues(witness.row), raw_residual: witness.residual };
    const columns = read.map((name, i) => {
      params[`w${w}c${i}`] = given[name] ?? '';
      return `CAST({w${w}c${i}:String} AS ${types.get(name)}) AS ${name}`;
    });
    return `SELECT ${w} AS witness, ${columns.join(', ')}`;
  });
  const lines = await client
    .query({
      query: `SELECT witness, ${rebuilt} AS line FROM (${rows.join(' UNION ALL ')}) ORDER BY witness`,
      query_params: params,
      format: 'JSONEachRow',
    })
    .then((rs) => rs.json<{ witness: number; line: string }>());
  for (const { witness: w, line } of lines) {
    const witness = LINE_WITNESSES[w];
    if (line === witness.line) continue;
    const [{ version }] = await client
      .query({ query: 'SELECT version() AS version', format: 'JSONEachRow' })
      .then((rs) => rs.json<{ version: string }>());
    throw new LineReadBackError(
      `ClickHouse ${version} reads the log lines kansa stores back differently: the ${witness.row.source} line ` +
        `${JSON.stringify(witness.line)} comes back as ${JSON.stringify(line)}. ` +
        'The evidence (events.raw) and the digests `kansa verify` recomputes depend on it: run this data with the ' +
        'ClickHouse (chDB) version this kansa release was tested with (docs/storage.md "The raw line as a residual"). ' +
        '(この ClickHouse では保存したログ行が元どおりに読み戻せないため、データを開きません。何も書き込んでいません)',
    );
  }
}

function stringValues(row: LineWitness['row']): Record<string, string> {
  return Object.fromEntries(Object.entries(row).filter((e): e is [string, string] => typeof e[1] === 'string'));
}
