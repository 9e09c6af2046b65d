/**
 * `npm run bench:console -- --data-dir DIR --month YYYY-MM`: times the API
 * calls of every console page over HTTP on an existing data directory (the
 * demo's, after `npx kansa demo`), with the whole service running as under
 * `kansa serve`. Prints one JSON object. (bench:analyze does the same on its
 * 30-million-event month.)
 */
import { ClickHouseClient } from '@clickhouse/client';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '@kansa/config';
import { monthWindow } from '@kansa/analyzer/reports/data/report-builder.service';
import { analyzerServiceFeatures } from '@kansa/analyzer/main';
import { collectorServiceFeatures } from '@kansa/collector/main';
import { ServiceModule, startHttpService } from '@kansa/service-shell';
import { CLICKHOUSE, TABLES } from '@kansa/storage';
import { sampleOfMonth, timeConsolePages } from './console-pages';

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { 'data-dir': { type: 'string', default: './data' }, month: { type: 'string' } } });
  if (!values.month) throw new Error('--month YYYY-MM is required (the demo prints its month)');
  const month = values.month;
  const { from: fromDay, to: toDay } = monthWindow(month);
  const config = loadConfig({
    env: {},
    overrides: {
      storage: { dataDir: resolve(values['data-dir']!), url: '' },
      analyzer: { catchUpOnStart: false },
      http: { port: 0, host: '127.0.0.1' },
    },
  });
  const service = await startHttpService(
    ServiceModule.forRoot(config, [...collectorServiceFeatures(config), ...analyzerServiceFeatures(config)]),
    config,
    { logger: ['error', 'warn'] },
  );
  try {
    const client = service.app.get<ClickHouseClient>(CLICKHOUSE);
    const [count] = await (
      await client.query({
        query: `SELECT count() AS n FROM ${TABLES.events} WHERE day >= {from:Date} AND day <= {to:Date}`,
        query_params: { from: fromDay, to: toDay },
        format: 'JSONEachRow',
      })
    ).json<{ n: string }>();
    const sample = await sampleOfMonth(client, fromDay, toDay);
    const pages = await timeConsolePages(service.app, service.url, { month, fromDay, toDay, ...sample });
    process.stdout.write(
      JSON.stringify(
        {
          month,
          eventsOfMonth: Number(count.n),
          console: { ...pages, goal: { slowestCallMsMax: 300 } },
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    await service.close();
  }
}
