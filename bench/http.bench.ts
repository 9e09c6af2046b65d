/**
 * npm run bench:http -- [--runs 1x50,16x50,1x500,16x500] [--seconds D] [--rate R] [--max-inflight M] [--gather-ms G] [--history N]
 *
 * HTTP ingest of small batches, end to end: `kansa serve`'s service (embedded
 * ClickHouse in a fresh directory, collector + analyzer as in production) on a
 * local port; a sender process (its own core) runs S senders, each posting
 * batches of L distinct 住民記録 lines to POST /api/ingest/jumin one after
 * the other (a log shipper waiting for each acknowledgement), for D seconds
 * (default 20) per run, resending after Retry-After when refused. With
 * `--rate R` each sender starts a batch every S/R seconds (R requests/s in
 * all) instead of at once: latency below saturation. Prints JSON per run:
 * events/s (acknowledged lines stored), requests/s, p50/p99/max latency of
 * an acknowledged request, refusals, the commits (import_batches rows) the
 * requests took, the stored count checked against the acknowledged lines,
 * each figure beside its goal (issue 16: 16 × 50 ≥ 20,000 events/s, 16 × 500
 * ≥ 80,000 events/s, p99 ≤ 500 ms below saturation). `http.maxInflightRequests`
 * is set to M (default 32) so that every sender can be in flight at once;
 * `http.groupCommit.gatherMs` to G when given (else the configured default).
 * With `--history N` the directory first holds N 住民記録 events of the month
 * before, stored as earlier HTTP commits store them (500-line batches, a
 * second apart) and merged: what a commit reads of the events already kept.
 */
import { ClickHouseClient } from '@clickhouse/client';
import { benchArgs } from './args';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { juminLine } from '../test/kit/jumin-lines';

interface Run {
  senders: number;
  lines: number;
}

interface Options {
  role: 'run' | 'senders';
  runs: Run[];
  seconds: number;
  /** Requests per second in all (paced senders); 0: each sender posts as soon as its previous batch is acknowledged. */
  rate: number;
  maxInflight: number;
  /** http.groupCommit.gatherMs; undefined: the default. */
  gatherMs?: number;
  url?: string;
  token?: string;
  /** Events of earlier HTTP commits stored before the run (0: a new directory). */
  history: number;
}

/** What the sender process reports. */
interface SenderReport {
  requests: number;
  lines: number;
  refused: number;
  errors: number;
  latenciesMs: number[];
  seconds: number;
}

const GOALS: Record<string, number> = { '16x50': 20_000, '16x500': 80_000 };
const GOAL_P99_MS = 500;

function parseArgs(argv: string[]): Options {
  const { get, num } = benchArgs(argv);
  const runs = (get('runs') ?? '1x50,16x50,1x500,16x500').split(',').map((r) => {
    const m = /^(\d+)x(\d+)$/.exec(r.trim());
    if (!m) throw new Error(`--runs: expected SENDERSxLINES, got ${r}`);
    return { senders: Number(m[1]), lines: Number(m[2]) };
  });
  return {
    role: get('role') === 'senders' ? 'senders' : 'run',
    runs,
    seconds: num('seconds', 20),
    rate: num('rate', 0, 0),
    maxInflight: num('max-inflight', 32),
    gatherMs: get('gather-ms') === undefined ? undefined : num('gather-ms', 0, 0),
    url: get('url'),
    token: get('token'),
    history: num('history', 0, 0),
  };
}

export async function main(argv: string[]): Promise<void> {
  const o = parseArgs(argv);
  if (o.role === 'senders') return send(o);
  const results = [];
  for (const run of o.runs) results.push(await measure(o, run));
  process.stdout.write(
    JSON.stringify({ benchmark: 'http', seconds: o.seconds, rate: o.rate, cpus: cpus().length, runs: results }, null, 2) + '\n',
  );
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The sender process: S senders posting L-line batches for D seconds. */
async function send(o: Options): Promise<void> {
  const { senders, lines } = o.runs[0];
  const report: SenderReport = { requests: 0, lines: 0, refused: 0, errors: 0, latenciesMs: [], seconds: 0 };
  const started = Date.now();
  const until = started + o.seconds * 1000;
  const interval = o.rate > 0 ? (senders / o.rate) * 1000 : 0;
  const sender = async (s: number) => {
    if (interval > 0) await sleep((interval * s) / senders);
    for (let b = 0; Date.now() < until; b++) {
      const first = Date.now();
      // juminLine(i) is 2026-09-01 + i seconds: each sender has 400,000 lines of its own, all in the past.
      const base = s * 400_000 + b * lines;
      const body = JSON.stringify({ lines: Array.from({ length: lines }, (_, k) => juminLine(base + k)) });
      for (;;) {
        const sent = Date.now();
        let res: Response;
        try {
          res = await fetch(`${o.url}/api/ingest/jumin`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${o.token}`, 'Content-Type': 'application/json' },
            body,
          });
        } catch {
          report.errors++;
          await sleep(1000);
          continue;
        }
        const answer = (await res.json()) as { stored?: number };
        if (res.status === 503) {
          report.refused++;
          await sleep(Number(res.headers.get('retry-after') || 1) * 1000);
          continue;
        }
        if (res.status !== 200 || answer.stored !== lines) throw new Error(`sender ${s}: ${res.status} ${JSON.stringify(answer)}`);
        report.latenciesMs.push(Date.now() - sent);
        report.requests++;
        report.lines += lines;
        break;
      }
      if (interval > 0) await sleep(Math.max(0, first + interval - Date.now()));
    }
  };
  await Promise.all(Array.from({ length: senders }, (_, s) => sender(s)));
  report.seconds = (Date.now() - started) / 1000;
  process.stdout.write(JSON.stringify(report) + '\n');
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function measure(o: Options, run: Run) {
  // Loaded here, not by the sender process.
  const { startTestService } = await import('../test/service/service-harness');
  const groupCommit = o.gatherMs === undefined ? {} : { groupCommit: { gatherMs: o.gatherMs } };
  const svc = await startTestService({ http: { maxInflightRequests: o.maxInflight, ...groupCommit } });
  try {
    if (o.history > 0) await storeHistory(svc.client, o.history);
    const load = loadavg()[0];
    const cpu = process.cpuUsage();
    const child = spawn(
      process.execPath,
      [
        join(__dirname, '..', 'bin', 'bench.js'),
        'bench/http.bench.ts',
        '--role',
        'senders',
        '--runs',
        `${run.senders}x${run.lines}`,
        '--seconds',
        String(o.seconds),
        '--rate',
        String(o.rate),
        '--url',
        svc.url,
        '--token',
        svc.tokens.ingest,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    if (code !== 0) throw new Error(`sender process failed (exit ${code})`);
    const used = process.cpuUsage(cpu);
    const report = JSON.parse(out.trim()) as SenderReport;
    const [{ n: stored }] = await svc.rows<{ n: string }>(`SELECT count() AS n FROM events WHERE source = 'jumin'`);
    const [{ n: commits }] = await svc.rows<{ n: string }>(`SELECT count() AS n FROM import_batches WHERE source = 'jumin'`); // the history has none
    const sorted = [...report.latenciesMs].sort((a, b) => a - b);
    const key = `${run.senders}x${run.lines}`;
    const eventsPerSec = Math.round(report.lines / report.seconds);
    const p99 = percentile(sorted, 99);
    const result = {
      senders: run.senders,
      linesPerRequest: run.lines,
      eventsPerSec,
      goalEventsPerSec: GOALS[key] ?? null,
      requestsPerSec: Math.round((report.requests / report.seconds) * 10) / 10,
      latencyMs: { p50: percentile(sorted, 50), p99, max: sorted[sorted.length - 1] ?? 0 },
      goalP99Ms: GOAL_P99_MS,
      requests: report.requests,
      commits: Number(commits),
      requestsPerCommit: Math.round((report.requests / Math.max(1, Number(commits))) * 10) / 10,
      gatherMs: svc.config.http.groupCommit.gatherMs,
      refused503: report.refused,
      networkErrors: report.errors,
      acknowledgedLines: report.lines,
      historyEvents: o.history,
      stored: Number(stored) - o.history,
      // The server's CPU time (JavaScript and the engine's threads: one process) per 1,000 events: what load does not change much.
      serverCpuMsPer1000Events: Math.round(((used.user + used.system) / 1000 / Math.max(1, report.lines)) * 1000),
      loadAverage1m: Math.round(load * 100) / 100,
    };
    if (result.stored !== report.lines) throw new Error(`stored ${result.stored} of ${report.lines} acknowledged lines`);
    process.stderr.write(
      `${key}: ${eventsPerSec} events/s, p50 ${result.latencyMs.p50} ms, p99 ${p99} ms, ` +
        `${result.requestsPerCommit} requests/commit, ${result.serverCpuMsPer1000Events} CPU ms/1000 events, load ${result.loadAverage1m}\n`,
    );
    return result;
  } finally {
    await svc.close();
    // the harness leaves its directory to the test environment, which a benchmark does not run in
    rmSync(svc.dataDir, { recursive: true, force: true });
  }
}

/**
 * N events of August 2026 (the senders' lines are of September on) as HTTP
 * commits of 500 lines stored them, one batch a second: distinct IDs, 3,000
 * staff, lines of about the real length; merged into the month's part, as
 * the engine merges them in the background. The rows only: no ledger.
 */
async function storeHistory(client: ClickHouseClient, n: number): Promise<void> {
  const t = Date.now();
  const start = "toDateTime64('2026-08-01 00:00:00', 3, 'Asia/Tokyo')";
  await client.command({
    query: `INSERT INTO events (event_id, ts, source, user_id, user_name, subject_id, raw, batch_id, line_no, ingested_at)
      SELECT lower(hex(substring(SHA256(concat('history', toString(number))), 1, 16))),
        ${start} + toIntervalSecond(intDiv(number * 30 * 86400, ${n})), 'jumin', concat('K', leftPad(toString(number % 3000), 6, '0')), '職員',
        toString(1000000000 + cityHash64(number) % 900000), repeat(concat('history line ', toString(number), ','), 6),
        lower(hex(substring(SHA256(concat('batch', toString(intDiv(number, 500)))), 1, 16))), number % 500 + 1,
        ${start} + toIntervalSecond(intDiv(number, 500))
      FROM numbers(${n})`,
  });
  await client.command({ query: 'OPTIMIZE TABLE events FINAL' });
  process.stderr.write(
    `history: ${n} events in ${Math.ceil(n / 500)} batches stored and merged in ${((Date.now() - t) / 1000).toFixed(1)} s\n`,
  );
}
