import { spawn } from 'node:child_process';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * The ClickHouse HTTP interface (the part @clickhouse/client uses) in front of
 * the real ClickHouse engine (chDB), for server-mode tests (CLICKHOUSE_URL):
 * kansa's processes talk HTTP to it exactly as to a ClickHouse server, and
 * several of them can share it, which an embedded data directory forbids.
 *
 * Not a ClickHouse server: no clickhouse-server can be installed on these
 * machines (Debian's is 18.16, without DateTime64; no other registry ships
 * one). The SQL is executed by the real engine; what is ours is only the
 * HTTP framing — query in the URL or body, `param_*` bindings, settings as
 * URL parameters, `database`, rows of `INSERT … FORMAT` in the body, errors as
 * `Code: N. DB::Exception: …` with status 500, and `/ping`.
 * Requests run one at a time (one engine connection). It runs in a child
 * process of its own, as a server would (and because one process can hold
 * only one embedded data directory).
 */
export interface ClickHouseHttp {
  url: string;
  /** Runs a statement (test set-up, tampering); its TabSeparated output. */
  exec(sql: string): Promise<string>;
  close(): Promise<void>;
}

/** Starts the endpoint on `dataDir` in a child process; resolves once it listens. */
export async function startClickHouseHttp(dataDir: string): Promise<ClickHouseHttp> {
  const child = spawn(process.execPath, ['-r', join(__dirname, '..', '..', 'scripts', 'register.js'), __filename, dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^LISTENING (\S+)$/m.exec(out);
      if (m) resolve(m[1]);
    });
    void exited.then(() => reject(new Error(`the ClickHouse HTTP endpoint exited before listening: ${out}`)));
  });
  return {
    url,
    async exec(sql) {
      const res = await fetch(url, { method: 'POST', body: sql });
      const text = await res.text();
      if (!res.ok) throw new Error(text);
      return text;
    },
    async close() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The child: `node -r scripts/register.js clickhouse-http.ts <dataDir>`. */
if (require.main === module) {
  void serveClickHouseHttp(process.argv[2]).then((server) => {
    process.stdout.write(`LISTENING ${server.url}\n`);
    process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
  });
}

/** URL parameters that are not settings. */
const NOT_SETTINGS = new Set([
  'query',
  'database',
  'query_id',
  'session_id',
  'default_format',
  'user',
  'password',
  'session_timeout',
  'session_check',
]);

interface ChdbSession {
  insert(opts: { table: string; columns?: string[]; values: Buffer; format: string }): Promise<unknown>;
  queryAsync(sql: string, opts?: { format?: string }): Promise<{ bytes(): Buffer }>;
  queryBindAsync(sql: string, params: Record<string, string>, opts?: { format?: string }): Promise<{ bytes(): Buffer }>;
  close(): void;
}

/** The endpoint itself, in this process. */
export async function serveClickHouseHttp(dataDir: string): Promise<{ url: string; close(): Promise<void> }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- chdb's Session is not in its type declarations' module map
  const { Session } = require('chdb') as { Session: new (path: string) => ChdbSession };
  const session = new Session(dataDir);
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };
  const run = async (
    sql: string,
    data: Buffer | undefined,
    params: Record<string, string>,
    settings: Record<string, string>,
    database: string | null,
  ) => {
    if (database) await session.queryAsync(`USE ${database.replace(/[^A-Za-z0-9_]/g, '')}`);
    for (const [k, v] of Object.entries(settings))
      await session.queryAsync(`SET ${k.replace(/[^A-Za-z0-9_]/g, '')} = '${v.replace(/[\\']/g, '')}'`);
    if (data) {
      // rows of any bytes (CP932 too): handed to the engine as they came
      const m = /^\s*INSERT\s+INTO\s+([A-Za-z0-9_.]+)\s*(?:\(([^)]*)\))?\s*FORMAT\s+(\w+)\s*$/i.exec(sql);
      if (!m)
        throw new Error(
          `Code: 1000. DB::Exception: the test endpoint takes data only for INSERT INTO t (cols) FORMAT F: ${sql.slice(0, 200)}`,
        );
      const columns = m[2]?.split(',').map((c) => c.trim().replace(/^`|`$/g, ''));
      await session.insert({ table: m[1], columns, values: data, format: m[3] });
      return Buffer.alloc(0);
    }
    const result =
      Object.keys(params).length > 0
        ? await session.queryBindAsync(sql, boundValues(sql, params), { format: 'TabSeparated' })
        : await session.queryAsync(sql, { format: 'TabSeparated' });
    return result.bytes();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/ping') return void res.end('Ok.\n');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body = Buffer.concat(chunks);
    if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
    const inUrl = url.searchParams.get('query');
    // INSERT … FORMAT X in the URL with the rows in the body; otherwise the body is the query.
    const sql = inUrl ?? body.toString('utf8');
    const data = inUrl !== null && body.length > 0 ? body : undefined;
    const params: Record<string, string> = {};
    const settings: Record<string, string> = {};
    for (const [k, v] of url.searchParams) {
      if (k.startsWith('param_')) params[k.slice(6)] = v;
      else if (!NOT_SETTINGS.has(k)) settings[k] = v;
    }
    try {
      const out = await serially(() => run(sql, data, params, settings, url.searchParams.get('database')));
      res.writeHead(200, {
        'Content-Type': 'text/plain; charset=UTF-8',
        'X-ClickHouse-Query-Id': url.searchParams.get('query_id') ?? '',
        'X-ClickHouse-Summary': '{"read_rows":"0","read_bytes":"0","written_rows":"0","written_bytes":"0","total_rows_to_read":"0"}',
      });
      res.end(out);
    } catch (err) {
      const e = err as Error & { cause?: Error };
      const text = e.cause?.message ?? e.message;
      res.writeHead(500, { 'Content-Type': 'text/plain', 'X-ClickHouse-Exception-Code': /Code: (\d+)/.exec(text)?.[1] ?? '1000' });
      res.end(/Code: \d+/.test(text) ? text : `Code: 1000. DB::Exception: ${text}`);
    }
  };

  // A client that goes away mid-request (a process killed while it sent rows) ends that request only, as with a server.
  const server: Server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await queue;
      session.close();
    },
  };
}

/**
 * A server reads a `param_*` value in the escaped text format (the client
 * sends `\\` for a backslash, `\'` for a quote, `\t` for a tab); chDB's binder
 * takes the value itself, as the in-process connection gives it. Arrays,
 * tuples and maps are sent as literals, which the binder parses as they are.
 */
function boundValues(sql: string, params: Record<string, string>): Record<string, string> {
  const typeOf = (name: string) => new RegExp(`\\{${name}\\s*:\\s*([A-Za-z]+)`).exec(sql)?.[1] ?? '';
  const controls: Record<string, string> = { t: '\t', n: '\n', r: '\r', '0': '\0', b: '\b', f: '\f' };
  return Object.fromEntries(
    Object.entries(params).map(([name, value]) => [
      name,
      /^(Array|Tuple|Map)$/.test(typeOf(name)) ? value : value.replace(/\\(.)/gs, (_, c: string) => controls[c] ?? c),
    ]),
  );
}
