/**
 * `npm run bench:ingest` — ingest throughput against the engine's own CSV load.
 *
 * Generates N 住民記録 lines (default 2,000,000; CP932 CSV) and M lines of each
 * other source format, imports each file through the CLI (`kansa import`, its
 * own process and data directory), and loads the same 住民記録 file with
 * ClickHouse's own CSV parser (`INSERT … SELECT FROM file(…)`) as the
 * engine's yardstick, and normalizes it by SQL alone into the events table
 * (the storage floor). Prints JSON: events/s for each, peak RSS, bytes on
 * disk per event, and each figure an issue sets a goal for beside its goal
 * (`goals`).
 *
 * Windows Security events (source windows): W records of a city's PCs as one
 * .evtx file and as Winlogbeat JSON lines, reported as records/s and MB/s
 * (the goal: a day of a 2,000-PC city, about 3 million records, in under a
 * minute, memory flat).
 *
 *   npm run bench:ingest -- --jumin 200000 --others 20000 --windows 300000   (quick)
 *   npm run bench:ingest                                   (full: 2M jumin, 200k each other, 3M windows)
 */
import { EvtxWriter } from '@kansa/demo/evtx-writer';
import { benchArgs } from './args';
import * as iconv from 'iconv-lite';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const JUMIN_HEADER =
  '処理日時,職員ID,職員氏名,所属コード,所属名,端末ID,IPアドレス,画面ID,画面名,処理区分,宛名番号,個人番号表示,処理事由,対象件数,処理結果';
const KUBUN = ['照会', '照会', '照会', '検索', '更新', '証明書発行', '帳票出力', 'ログイン', 'ログアウト'];
const NAMES = ['髙橋 翔', '佐藤 花子', '山﨑 一郎', '鈴木 美咲', '伊藤 太郎', '渡辺 直子'];

/** Writes `n` lines made by `line(i)` in chunks, encoded. */
function writeLines(
  path: string,
  header: string | undefined,
  n: number,
  line: (i: number) => string,
  encoding: string,
  eol: string,
  bom = false,
): void {
  const fd = openSync(path, 'w');
  if (bom) writeSync(fd, Buffer.from([0xef, 0xbb, 0xbf]));
  if (header) writeSync(fd, iconv.encode(header + eol, encoding));
  for (let start = 0; start < n; start += 20_000) {
    const parts: string[] = [];
    for (let i = start; i < Math.min(n, start + 20_000); i++) parts.push(line(i));
    writeSync(fd, iconv.encode(parts.join(eol) + eol, encoding));
  }
  closeSync(fd);
}

const pad = (v: number, w: number) => String(v).padStart(w, '0');
/** JST wall clock of the i-th of n events spread over 2025-04-14 07:00–21:00. */
function wall(i: number, n: number, sep: string): string {
  const s = 7 * 3600 + Math.floor((i / n) * 14 * 3600);
  return `2025${sep}04${sep}14 ${pad(Math.floor(s / 3600), 2)}:${pad(Math.floor(s / 60) % 60, 2)}:${pad(s % 60, 2)}`;
}

export function generate(dir: string, nJumin: number, nOthers: number, nWindows = 0): Record<string, string> {
  const files: Record<string, string> = {};
  files.jumin = join(dir, 'JUMIN_OPLOG_20250414.csv');
  writeLines(
    files.jumin,
    JUMIN_HEADER,
    nJumin,
    (i) => {
      const u = i % 200;
      const kubun = KUBUN[i % KUBUN.length];
      const subject = kubun === '照会' || kubun === '更新' || kubun === '証明書発行' ? pad((i * 7919) % 1e10, 10) : '';
      return `${wall(i, nJumin, '/')},K00${1000 + u},${NAMES[u % NAMES.length]},1${pad(u % 10, 2)}${pad(u % 7, 3)},市民課,WS-100${pad(u % 10, 2)}0-${pad(u % 30, 3)},10.${u % 10}.0.${u % 250},JR0${pad(i % 90, 3)},住民票照会,${kubun},${subject},${i % 17 === 0 ? '有' : '無'},${i % 5 === 0 ? '' : '窓口申請'},${i % 3},正常`;
    },
    'cp932',
    '\r\n',
  );
  files.atena = join(dir, 'ATENA_INQUIRY_20250414.csv');
  writeLines(
    files.atena,
    '照会日時,利用者ID,所属コード,端末名,業務コード,照会種別,統合宛名番号,該当件数,結果',
    nOthers,
    (i) =>
      `${wall(i, nOthers, '-').replace(' ', 'T')}.${pad(i % 1000, 3)}+09:00,K00${1000 + (i % 200)},100${pad(i % 10, 2)}0,WS-1000${i % 10}-${pad(i % 30, 3)},Z0${i % 5},${i % 9 === 0 ? '個人番号照会' : '宛名照会'},${pad((i * 104729) % 1e15, 15)},1,OK`,
    'utf8',
    '\n',
    true,
  );
  files.chukan = join(dir, 'CHUKAN_OPLOG_20250414.jsonl');
  writeLines(
    files.chukan,
    undefined,
    nOthers,
    (i) =>
      JSON.stringify({
        time: `${wall(i, nOthers, '-').replace(' ', 'T')}.${pad(i % 1000, 3)}+09:00`,
        operator: `K00${1000 + (i % 200)}`,
        terminal: `CHK-TERM-0${i % 6}`,
        func: '情報照会',
        procedure: `JT0${pad(i % 300, 3)}`,
        partner: '日本年金機構',
        item: `TK0${pad(i % 500, 3)}`,
        subject: pad((i * 104729) % 1e15, 15),
        serial: `Q20250414${pad(i, 9)}`,
        count: 1,
        result: '正常',
      }),
    'utf8',
    '\n',
  );
  files.terminal = join(dir, 'TERMINAL_20250414.csv');
  writeLines(
    files.terminal,
    '日時,コンピュータ名,ユーザー,IPアドレス,操作種別,詳細,デバイスID,ファイル名,サイズ',
    nOthers,
    (i) =>
      `${wall(i, nOthers, '-')},WS-1000${i % 10}-${pad(i % 30, 3)},SAMPLE\\K00${1000 + (i % 200)},10.${i % 10}.0.${i % 250},${i % 4 === 0 ? '印刷' : 'ログオン'},詳細${i},,${i % 4 === 0 ? `C:\\帳票\\${i}.pdf` : ''},${i % 4 === 0 ? i * 3 : ''}`,
    'cp932',
    '\r\n',
  );
  Object.assign(files, generateWindows(dir, nWindows));
  return files;
}

/** The i-th of n Security records of a 2,000-PC city's day: logons, logoffs, failures, and what is kept apart (SYSTEM, 4688, 4672). */
function windowsRecord(i: number, n: number) {
  const pc = `PC-${pad(i % 2000, 4)}.city.local`;
  const user = `K00${1000 + (i % 1800)}`;
  const timeMs = Date.parse('2026-04-01T07:00:00+09:00') + Math.floor((i / n) * 14 * 3600_000);
  const kind = i % 10;
  const subject: Array<[string, string]> = [
    ['SubjectUserSid', 'S-1-5-18'],
    ['SubjectUserName', `PC-${pad(i % 2000, 4)}$`],
    ['SubjectDomainName', 'CITY'],
    ['SubjectLogonId', '0x3e7'],
  ];
  const logon = (target: string, domain: string, type: string): Array<[string, string]> => [
    ...subject,
    ['TargetUserSid', `S-1-5-21-1004336348-1177238915-682003330-${10000 + (i % 1800)}`],
    ['TargetUserName', target],
    ['TargetDomainName', domain],
    ['TargetLogonId', `0x${(i * 7919).toString(16)}`],
    ['LogonType', type],
    ['LogonProcessName', 'User32'],
    ['AuthenticationPackageName', 'Negotiate'],
    ['WorkstationName', `PC-${pad(i % 2000, 4)}`],
    ['ProcessName', 'C:\\Windows\\System32\\svchost.exe'],
    ['IpAddress', `10.${(i % 2000) >> 8}.${i % 250}.${(i % 200) + 1}`],
    ['IpPort', '0'],
  ];
  const byKind: Array<() => { eventId: number; data: Array<[string, string]> }> = [
    () => ({ eventId: 4624, data: logon(user, 'CITY', '2') }),
    () => ({ eventId: 4624, data: logon(user, 'CITY', '7') }),
    () => ({ eventId: 4624, data: logon(user, 'CITY', '3') }),
    () => ({ eventId: 4624, data: logon(user, 'CITY', '2') }),
    () => ({
      eventId: 4634,
      data: [
        ['TargetUserName', user],
        ['TargetDomainName', 'CITY'],
        ['TargetLogonId', '0x1'],
        ['LogonType', '2'],
      ],
    }),
    () => ({ eventId: 4625, data: [...logon(user, 'CITY', '2'), ['Status', '0xc000006d'], ['SubStatus', '0xc000006a']] }),
    () => ({ eventId: 4688, data: [...subject, ['NewProcessName', 'C:\\Windows\\System32\\conhost.exe'], ['CommandLine', '']] }),
    () => ({ eventId: 4688, data: [...subject, ['NewProcessName', 'C:\\Program Files\\業務\\juki.exe'], ['CommandLine', '']] }),
    () => ({ eventId: 4624, data: logon('SYSTEM', 'NT AUTHORITY', '5') }),
    () => ({ eventId: 4672, data: [...subject, ['PrivilegeList', 'SeSecurityPrivilege']] }),
  ];
  return { computer: pc, timeMs, recordId: i + 1, ...byKind[kind]() };
}

/** The same W records as an .evtx file (streamed, one chunk in memory) and as Winlogbeat JSON lines. */
function generateWindows(dir: string, n: number): Record<string, string> {
  if (n <= 0) return {};
  const evtx = join(dir, 'PC-ALL-Security-20260401.evtx');
  const fd = openSync(evtx, 'w');
  writeSync(fd, Buffer.alloc(4096));
  const w = new EvtxWriter();
  for (let i = 0; i < n; i++) {
    const r = windowsRecord(i, n);
    w.add({ eventId: r.eventId, timeMs: r.timeMs, computer: r.computer, task: 12544, data: r.data });
    for (const c of w.chunks()) writeSync(fd, c);
  }
  const { chunks, header } = w.finish();
  for (const c of chunks) writeSync(fd, c);
  writeSync(fd, header, 0, header.length, 0);
  closeSync(fd);
  const json = join(dir, 'WINDOWS_20260401.jsonl');
  writeLines(
    json,
    undefined,
    n,
    (i) => {
      const r = windowsRecord(i, n);
      return JSON.stringify({
        '@timestamp': new Date(r.timeMs).toISOString(),
        host: { name: r.computer },
        winlog: {
          channel: 'Security',
          computer_name: r.computer,
          event_id: String(r.eventId),
          provider_name: 'Microsoft-Windows-Security-Auditing',
          record_id: String(r.recordId),
          task: 'Logon',
          event_data: Object.fromEntries(r.data),
        },
      });
    },
    'utf8',
    '\n',
  );
  return { 'windows-evtx': evtx, 'windows-json': json };
}

interface ChildRun {
  code: number;
  stdout: string;
  stderr: string;
  seconds: number;
  peakRssMb: number;
  /** CPU time of the child (user + system, all its threads): less sensitive than wall time to other processes on the machine. */
  cpuSeconds: number;
}

/** Clock ticks a second of /proc/<pid>/stat's times (USER_HZ: 100 on Linux). */
const TICKS = 100;

/** Runs a child process, sampling its peak resident memory (VmHWM) and its CPU time from /proc. */
function runChild(args: string[]): Promise<ChildRun> {
  return new Promise((done) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peakKb = 0;
    let cpuTicks = 0;
    const sample = () => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
        // utime and stime: fields 14 and 15, counted after the command name's closing parenthesis
        const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        cpuTicks = Math.max(cpuTicks, Number(fields[11]) + Number(fields[12]));
      } catch {
        /* exited */
      }
    };
    const timer = setInterval(sample, 50);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => {
      clearInterval(timer);
      done({
        code: code ?? -1,
        stdout,
        stderr,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        peakRssMb: Math.round(peakKb / 1024),
        cpuSeconds: cpuTicks / TICKS,
      });
    });
  });
}

const BENCH = [join(ROOT, 'bin', 'bench.js'), 'bench/ingest.bench.ts'];
const KANSA = join(ROOT, 'bin', 'kansa.js');

export async function main(args: string[]): Promise<void> {
  if (args[0] === '--engine') return engineLoad(args[1], args[2]);
  if (args[0] === '--stats') return stats(args[1]);
  const { num } = benchArgs(args);
  const nJumin = num('jumin', 2_000_000, 0);
  const nOthers = num('others', Math.round(nJumin / 10), 0);
  const nWindows = num('windows', Math.round(nJumin * 1.5), 0);
  const dir = mkdtempSync(join(tmpdir(), 'kansa-bench-'));
  try {
    const t0 = Date.now();
    const files = generate(dir, nJumin, nOthers, nWindows);
    const generateSeconds = (Date.now() - t0) / 1000;
    const sources: Record<string, SourceRun> = {};
    let juminRate = 0;
    for (const [source, file] of Object.entries(files)) {
      const dataDir = join(dir, `data-${source}`);
      const run = await runChild([KANSA, '--data-dir', dataDir, '--json', 'import', file]);
      if (run.code !== 0) throw new Error(`kansa import failed: ${run.stderr}`);
      const result = JSON.parse(run.stdout).total;
      const s = JSON.parse((await runChild([...BENCH, '--stats', dataDir])).stdout);
      // Windows: every record read counts (those kept apart are stored too, in events_apart)
      const events = source.startsWith('windows') ? result.read : result.stored;
      const rate = Math.round(events / s.pipelineSeconds);
      if (source === 'jumin') juminRate = rate;
      sources[source] = {
        lines: result.read,
        stored: result.stored,
        quarantined: result.quarantined,
        apart: result.apart,
        fileMb: +(statSync(file).size / 2 ** 20).toFixed(1),
        cliWallSeconds: +run.seconds.toFixed(2),
        pipelineSeconds: s.pipelineSeconds,
        eventsPerSecond: rate,
        eventsPerSecondWall: Math.round(events / run.seconds),
        mbPerSecondWall: +(statSync(file).size / 2 ** 20 / run.seconds).toFixed(1),
        peakRssMb: run.peakRssMb,
        // sampled every 50 ms: the last 50 ms before the child exits are not counted
        cpuSeconds: run.cpuSeconds,
        eventsPerCpuSecond: Math.round(events / run.cpuSeconds),
        bytesOnDiskPerEvent: s.bytesPerEvent,
      };
      rmSync(dataDir, { recursive: true, force: true });
    }
    const engine = await runChild([...BENCH, '--engine', join(dir, 'data-engine'), files.jumin]);
    if (engine.code !== 0) throw new Error(`engine load failed: ${engine.stderr}`);
    const e = JSON.parse(engine.stdout);
    const engineRate = Math.round(e.rows / e.seconds);
    process.stdout.write(
      JSON.stringify(
        {
          jumin: nJumin,
          othersEach: nOthers,
          generateSeconds,
          kansa: sources,
          engine: {
            rows: e.rows,
            seconds: e.seconds,
            rowsPerSecond: engineRate,
            bytesOnDiskPerRow: e.bytesPerRow,
            peakRssMb: engine.peakRssMb,
            // the same lines normalized by SQL alone into the events table: the storage floor
            intoEventsSeconds: e.eventsSeconds,
            intoEventsRowsPerSecond: Math.round(e.rows / e.eventsSeconds),
          },
          // the 住民記録 pipeline against the engine loading the same CSV into a table of strings (an early yardstick, no goal now;
          // issue 16's goal is against the load into the events table: goals.juminPipelineToIntoEvents)
          juminToCsvLoad: +(juminRate / engineRate).toFixed(3),
          goals: goals(sources, juminRate, Math.round(e.rows / e.eventsSeconds)),
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Child: ClickHouse's own CSV parser loading the same 住民記録 file into a MergeTree table. */
async function engineLoad(dataDir: string, file: string): Promise<void> {
  const { openClickHouse, migrate } = await import('@kansa/storage');
  const client = await openClickHouse({ dataDir });
  const cols = Array.from({ length: 15 }, (_, i) => `c${i + 1} String`).join(', ');
  await client.command({ query: `CREATE TABLE IF NOT EXISTS engine_load (${cols}) ENGINE = MergeTree ORDER BY tuple()` });
  const t = process.hrtime.bigint();
  await client.command({
    query: `INSERT INTO engine_load SELECT * FROM file({file:String}, 'CSVWithNames', {cols:String}) SETTINGS input_format_with_names_use_header = 0`,
    query_params: { file, cols },
  });
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  const [r] = await (
    await client.query({ query: 'SELECT count() AS rows FROM engine_load', format: 'JSONEachRow' })
  ).json<{ rows: string }>();
  const [p] = await (
    await client.query({
      query: "SELECT sum(bytes_on_disk) AS bytes FROM system.parts WHERE active AND table = 'engine_load'",
      format: 'JSONEachRow',
    })
  ).json<{ bytes: string }>();
  // The same file normalized by SQL alone into the real events table (sorted, compressed, indexed):
  // what storing costs even with no JS work at all.
  await migrate(client);
  const t2 = process.hrtime.bigint();
  await client.command({
    query: `INSERT INTO events (event_id, ts, source, instance, user_id, user_name, department_code, terminal_id, client_ip,
              action, screen_id, business_code, subject_id, my_number_shown, record_count, reason, outcome, object,
              source_event_id, raw_input, my_number_hmacs, batch_id, line_no)
            SELECT lower(hex(substring(SHA256(concat('jumin', '\\0', '', '\\0', raw)), 1, 16))),
              parseDateTime(c1, '%Y/%m/%d %H:%i:%s', 'Asia/Tokyo'), 'jumin', '', c2, c3, c4, c6, c7,
              transform(c10, ['ログイン','ログアウト','ログイン失敗','検索','照会','更新','証明書発行','帳票出力','一括出力','CSV出力'],
                ['login','logout','login_failure','search','view','update','issue','print','bulk_export','export'], ''),
              c8, '', c11, c12 = '有', toUInt32(c14), c13, if(c15 = 'エラー', 'failure', 'success'), '', '',
              raw, [], 'engine', rowNumberInAllBlocks()
            FROM (SELECT *, concatWithSeparator(',', c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15) AS raw
                  FROM file({file:String}, 'CSVWithNames', {cols:String}))
            SETTINGS input_format_with_names_use_header = 0, optimize_on_insert = 0`,
    query_params: { file, cols },
  });
  const eventsSeconds = Number(process.hrtime.bigint() - t2) / 1e9;
  await client.close();
  process.stdout.write(
    JSON.stringify({ rows: Number(r.rows), seconds, bytesPerRow: +(Number(p.bytes) / Number(r.rows)).toFixed(1), eventsSeconds }),
  );
}

/**
 * Child: pipeline time from import_batches (first batch start to last batch end: a file's batches
 * overlap, one commits while the next is parsed) and bytes on disk per stored event.
 */
async function stats(dataDir: string): Promise<void> {
  const { openClickHouse } = await import('@kansa/storage');
  const client = await openClickHouse({ dataDir });
  const [r] = await (
    await client.query({
      query: `SELECT (SELECT max(toUnixTimestamp64Milli(finished_at)) - min(toUnixTimestamp64Milli(started_at)) FROM import_batches) AS ms,
                     (SELECT count() FROM events) AS rows,
                     (SELECT sum(bytes_on_disk) FROM system.parts WHERE active AND database = currentDatabase() AND table = 'events') AS bytes`,
      format: 'JSONEachRow',
    })
  ).json<{ ms: string; rows: string; bytes: string }>();
  await client.close();
  process.stdout.write(
    JSON.stringify({ pipelineSeconds: Number(r.ms) / 1000, bytesPerEvent: +(Number(r.bytes) / Math.max(1, Number(r.rows))).toFixed(1) }),
  );
}

/**
 * Each figure the issues set a goal for, beside its goal: the 住民記録
 * pipeline against the engine's own rate into the same events table, and its
 * peak memory (issue 16); the Windows day's import (issue 14: 3 million
 * records in under a minute on 2 cores).
 */
function goals(sources: Record<string, SourceRun>, juminRate: number, intoEventsRate: number) {
  // a smaller run says nothing of the day: a command's start and last commit weigh too much in it
  const day = (run?: SourceRun) => (run && run.lines >= 3_000_000 ? run.cliWallSeconds : null);
  return {
    juminPipelineToIntoEvents: { value: +(juminRate / intoEventsRate).toFixed(3), goalMin: 0.8 },
    juminPeakRssMb: { value: sources.jumin?.peakRssMb ?? null, goalMax: 600 },
    juminBytesOnDiskPerEvent: { value: sources.jumin?.bytesOnDiskPerEvent ?? null, goalMax: 30 },
    windowsDaySecondsEvtx: {
      value: day(sources['windows-evtx']),
      goalMax: 60,
      note: 'kansa import wall time of 3,000,000 records or more (--windows 3000000, the default); null for a smaller run',
    },
    windowsDaySecondsJson: { value: day(sources['windows-json']), goalMax: 60 },
  };
}

/** What bench:ingest reports of one file's import (the figures goals() reads). */
interface SourceRun {
  lines: number;
  bytesOnDiskPerEvent: number;
  cliWallSeconds: number;
  peakRssMb: number;
  [figure: string]: unknown;
}
