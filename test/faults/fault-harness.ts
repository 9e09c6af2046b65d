import { ClickHouseClient } from '@clickhouse/client';
import { openClickHouse, TABLES } from '@kansa/storage';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

const ROOT = join(__dirname, '..', '..');

/** The collector service running in a child process (killable like a real one). */
export interface ServiceProcess {
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr. */
  output(): string;
  /** What it wrote to stdout alone (a `--json` answer, without the log lines of stderr). */
  stdout(): string;
  /** SIGTERM (graceful) and wait; resolves to the exit code (null when killed by a signal). */
  stop(): Promise<number | null>;
  /** kill -9 and wait. */
  kill(): Promise<void>;
}

export interface ServiceOptions {
  dataDir: string;
  /** Site configuration (the `kafka` section of the test). */
  configFile: string;
  brokers: string;
}

/**
 * Starts `kansa serve` (collector + analyzer, embedded storage) with Kafka
 * enabled on a free port; resolves once /health says the consumer has joined.
 */
export async function startCollectorService(options: ServiceOptions): Promise<ServiceProcess> {
  const { service, url } = await startKansaServe(['--data-dir', options.dataDir, '--config', options.configFile], {
    KAFKA_BROKERS: options.brokers,
    KAFKA_ENABLED: 'true',
  });
  let health: unknown;
  try {
    await waitFor(
      'the Kafka consumer to join its group',
      async () => {
        health = await fetch(`${url}/health`)
          .then((r) => r.json())
          .catch(() => undefined);
        return (health as { checks?: Record<string, { ok: boolean }> } | undefined)?.checks?.kafka?.ok === true;
      },
      120_000,
    );
  } catch (err) {
    // what the service said and its last health, so that a consumer that never joined can be told apart afterwards
    await service.stop().catch(() => undefined);
    throw new Error(`${(err as Error).message}; last health ${JSON.stringify(health)}; service output:\n${service.output().slice(-4000)}`, {
      cause: err,
    });
  }
  return service;
}

/** Starts `kansa serve <args>` on a free port in a child process; resolves with its URL once it listens. */
export async function startKansaServe(args: string[], env: Record<string, string> = {}): Promise<{ service: ServiceProcess; url: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'kansa.js'), 'serve', ...args, '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const service = await wrap(child, /kansa serve .*: (http:\/\/\S+)/);
  return { service, url: /kansa serve .*: (http:\/\/\S+)/.exec(service.output())?.[1] as string };
}

/** Runs `kansa <args>` in a child process (killable). */
export function runKansa(args: string[], env: Record<string, string> = {}): ServiceProcess & { exited: Promise<number | null> } {
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'kansa.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return supervise(child);
}

/** A finished `kansa` run: its exit code, all it wrote, and its stdout alone (a `--json` answer). */
export interface KansaRun {
  code: number | null;
  output: string;
  stdout: string;
}

/** `kansa <args>` run to its end (runKansa, awaited). */
export async function kansaRun(args: string[], env: Record<string, string> = {}): Promise<KansaRun> {
  const p = runKansa(args, env);
  const code = await p.exited;
  return { code, output: p.output(), stdout: p.stdout() };
}

/** Collects a child's output and gives it stop (SIGTERM) and kill (SIGKILL). */
function supervise(child: ChildProcess): ServiceProcess & { exited: Promise<number | null> } {
  let out = '';
  let stdout = '';
  child.stdout?.on('data', (d) => {
    out += d;
    stdout += d;
  });
  child.stderr?.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    output: () => out,
    stdout: () => stdout,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

function wrap(child: ChildProcess, ready: RegExp): Promise<ServiceProcess> {
  const service = supervise(child);
  const { exited } = service;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service not ready within 120 s:\n${service.output()}`)), 120_000);
    const onData = () => {
      if (ready.test(service.output())) {
        clearTimeout(timer);
        resolve(service);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`service exited with ${code} before it was ready:\n${service.output()}`));
    });
  });
}

/** A site configuration file for the service. */
export function writeSiteConfig(dir: string, config: Record<string, unknown>): string {
  const file = join(dir, 'site.yaml');
  writeFileSync(file, stringify(config));
  return file;
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface StoredCounts {
  /** Rows in events (physical rows: a duplicate not yet merged away counts twice). */
  rows: number;
  distinctEvents: number;
  distinctSubjects: number;
  quarantined: number;
  /** What the collector reported over all batches. */
  batches: { read: number; stored: number; duplicates: number; quarantined: number };
}

/** Opens the service's data directory (after the service stopped) and counts. */
export async function storedCounts(dataDir: string, source: string): Promise<StoredCounts> {
  const client = await openClickHouse({ dataDir });
  try {
    const one = async <T>(query: string): Promise<T> =>
      (await (await client.query({ query, query_params: { source }, format: 'JSONEachRow' })).json<T>())[0];
    const ev = await one<{ rows: string; ids: string; subjects: string }>(
      `SELECT count() AS rows, uniqExact(event_id) AS ids, uniqExact(subject_id) AS subjects FROM ${TABLES.events} WHERE source = {source:String}`,
    );
    const q = await one<{ n: string }>(`SELECT count() AS n FROM ${TABLES.quarantine} WHERE source = {source:String}`);
    const b = await one<Record<string, string>>(
      `SELECT sum(lines_read) AS read, sum(stored) AS stored, sum(duplicates) AS duplicates, sum(quarantined) AS quarantined
       FROM ${TABLES.importBatches} WHERE source = {source:String}`,
    );
    return {
      rows: Number(ev.rows),
      distinctEvents: Number(ev.ids),
      distinctSubjects: Number(ev.subjects),
      quarantined: Number(q.n),
      batches: { read: Number(b.read), stored: Number(b.stored), duplicates: Number(b.duplicates), quarantined: Number(b.quarantined) },
    };
  } finally {
    await client.close();
  }
}

/** Rows of a query against a stopped service's data directory. */
export async function queryDataDir<T>(dataDir: string, query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const client: ClickHouseClient = await openClickHouse({ dataDir });
  try {
    return await (await client.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();
  } finally {
    await client.close();
  }
}

/**
 * Bytes written so far into tables whose name starts with `prefix` (e.g. the
 * collector's per-batch staging tables), read from the embedded data
 * directory's layout (`data/<database>/<table>/…`) while another process owns it.
 */
export function tableBytes(dataDir: string, prefix: string): number {
  const list = (dir: string) => {
    try {
      return readdirSync(dir, { withFileTypes: true });
    } catch {
      return [];
    }
  };
  const size = (path: string): number => {
    try {
      const st = statSync(path);
      return st.isDirectory() ? list(path).reduce((sum, e) => sum + size(join(path, e.name)), 0) : st.size;
    } catch {
      return 0;
    }
  };
  let bytes = 0;
  for (const db of list(join(dataDir, 'data'))) {
    for (const table of list(join(dataDir, 'data', db.name))) {
      if (table.name.startsWith(prefix)) bytes += size(join(dataDir, 'data', db.name, table.name));
    }
  }
  return bytes;
}

/** Fault figures printed for the report, and kept in test/artifacts/fault-<name>.json (ignored by git). */
export function report(name: string, figures: Record<string, unknown>): void {
  console.log(`FAULT ${name} ${JSON.stringify(figures)}`);
  const dir = join(ROOT, 'test', 'artifacts');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `fault-${name}.json`), JSON.stringify({ at: new Date().toISOString(), ...figures }, null, 2) + '\n');
}

/** Resident memory of a running process (Linux /proc): now and its peak so far (VmHWM), in MiB. */
export function processMemory(pid: number): { rssMb: number; peakRssMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: Math.round(kb('VmRSS') / 1024), peakRssMb: Math.round(kb('VmHWM') / 1024) };
}
