/**
 * `npm run bench:classify -- --data DIR [--month YYYY-MM] [--reps N] [--by-day]`:
 * runs the unexplained-access rule's prepare statements (the classification
 * of every access: the window's DELETE, then the INSERT … SELECT) over a
 * month of an existing data directory — as one window, or with `--by-day`
 * one day at a time as the preparation ahead does — N times, and prints one
 * JSON object: wall
 * and process-CPU seconds of each statement per run, the load average before
 * and after, and a checksum of every stored column of access_explanations
 * (a change of the SQL must leave it as it was).
 *
 * DIR is the data directory a `npm run bench:analyze -- --keep` left
 * (`<kept dir>/data`): the whole bench takes minutes, this seconds. Work on a
 * copy if the directory is to stay as it was: the runs rewrite the month's
 * classification (with the same rows, if the SQL is right).
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { checkMonth, eachDay, monthRange } from '@kansa/calendar';
import { TABLES, CLICKHOUSE } from '@kansa/storage';
import { AnalysisService } from '@kansa/analyzer/detection/analysis.service';
import { RULE_CATALOG, RuleCatalog } from '@kansa/analyzer/detection/rule-catalog';
import { CommandContext } from '../apps/cli/src/context';
import { benchArgs } from './args';

const RULE = 'unexplained-access';
/** Every stored column but analyzed_at (the time of the run). */
const STORED = [
  'source',
  'day',
  'user_id',
  'subject_id',
  'resident_key',
  'department',
  'accesses',
  'first_at',
  'last_at',
  'class',
  'explanations',
  'flags',
  'record_ref',
  'record_kind',
  'record_day',
  'assignment_kind',
  'rule_version',
];

export async function main(argv: string[]): Promise<void> {
  const args = benchArgs(argv);
  const dataDir = args.get('data');
  if (!dataDir) throw new Error('--data: the data directory of a kept bench:analyze run (<kept dir>/data) is required');
  // Opening a directory that is not there would create an empty one, and time the classification of nothing.
  if (!existsSync(dataDir)) throw new Error(`--data: no directory ${dataDir} (a kept bench:analyze run leaves <kept dir>/data)`);
  const month = args.get('month') ?? '2025-05';
  checkMonth('--month', month);
  const reps = args.num('reps', 3);
  const byDay = args.flag('by-day');
  const { from: fromDay, to: toDay } = monthRange(month);

  await new CommandContext({ dataDir }).withApp(async (app) => {
    const client = app.get<ClickHouseClient>(CLICKHOUSE);
    const analysis = app.get(AnalysisService);
    const rule = app.get<RuleCatalog>(RULE_CATALOG).find((r) => r.id === RULE);
    if (!rule?.prepare) throw new Error(`rule ${RULE} has no prepare statements`);
    const segments = (await analysis.segments(fromDay, toDay)).flatMap((s) =>
      byDay ? eachDay(s.fromDay, s.toDay).map((day) => ({ ...s, fromDay: day, toDay: day })) : [s],
    );
    const calendarVersion = segments[0].masters.calendar;
    const runs: Array<{
      wallSeconds: number;
      cpuSeconds: number;
      statements: Array<{ statement: string; wallSeconds: number; cpuSeconds: number }>;
    }> = [];
    const loadBefore = loadavg();
    for (let rep = 0; rep < reps; rep++) {
      const statements: (typeof runs)[number]['statements'] = [];
      for (const segment of segments) {
        for (const q of rule.prepare(analysis.context(rule, segment, calendarVersion))) {
          const t = performance.now();
          const cpu = process.cpuUsage();
          await client.command({ query: q.query, query_params: q.query_params });
          const used = process.cpuUsage(cpu);
          statements.push({
            statement: q.query.trim().split(/\s+/).slice(0, 3).join(' '),
            wallSeconds: round((performance.now() - t) / 1000),
            cpuSeconds: round((used.user + used.system) / 1e6),
          });
        }
      }
      runs.push({
        wallSeconds: round(statements.reduce((n, s) => n + s.wallSeconds, 0)),
        cpuSeconds: round(statements.reduce((n, s) => n + s.cpuSeconds, 0)),
        statements,
      });
    }
    const loadAfter = loadavg();
    const [sum] = await (
      await client.query({
        query: `SELECT count() AS rows, toString(sum(cityHash64(${STORED.join(', ')}))) AS checksum,
                       countIf(class = 'explained') AS explained, countIf(class = 'flagged') AS flagged
                FROM ${TABLES.accessExplanations} WHERE day >= {fromDay:Date} AND day <= {toDay:Date}`,
        query_params: { fromDay, toDay },
        format: 'JSONEachRow',
      })
    ).json<{ rows: string; checksum: string; explained: string; flagged: string }>();
    const result = {
      month,
      byDay,
      dataDir,
      note:
        'the rule’s prepare statements alone; cpuSeconds: CPU of this process (the embedded engine runs in it; with a ClickHouse server, wall only); ' +
        'the machine is shared: compare runs made back to back, and mind the load',
      loadAverage: { before: loadBefore.map(round), after: loadAfter.map(round) },
      runs,
      best: { wallSeconds: Math.min(...runs.map((r) => r.wallSeconds)), cpuSeconds: Math.min(...runs.map((r) => r.cpuSeconds)) },
      stored: { rows: Number(sum.rows), checksum: sum.checksum, explained: Number(sum.explained), flagged: Number(sum.flagged) },
    };
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  });
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
