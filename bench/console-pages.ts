import { ClickHouseClient } from '@clickhouse/client';
import { INestApplicationContext } from '@nestjs/common';
import { loadavg } from 'node:os';
import { TABLES } from '@kansa/storage';
import { AccountsService } from '@kansa/service-shell';
import { ConsoleUser } from '../test/console/console-user';

/** One page of the console and the API calls it makes (in the browser they run at once; here one after another). */
interface PageCalls {
  page: string;
  who: 'officer' | 'auditor' | 'admin';
  calls: string[];
}

export interface PageTimings {
  /** Per page: the slowest call's median and the sum of the medians (the worst case: calls one after another). */
  pages: Record<string, { calls: Record<string, { medianMs: number; firstMs: number }>; slowestCallMs: number; sumMs: number }>;
  slowestCallMs: number;
  /** The machine's load average (1, 5, 15 min) when the timing ended: the figures are only as quiet as the machine was. */
  loadAverage: number[];
}

/**
 * The API calls of every console page, timed over HTTP against the running
 * service as people make them (logged-in sessions: the session check and
 * the audit record are part of every figure). Median of five, and the first.
 */
export async function timeConsolePages(
  app: INestApplicationContext,
  url: string,
  sample: { month: string; fromDay: string; toDay: string; subject: string; user: string },
): Promise<PageTimings> {
  const accounts = app.get(AccountsService);
  const by = { kind: 'cli' as const, name: 'bench', role: 'cli' };
  const people: Record<PageCalls['who'], ConsoleUser> = {} as Record<PageCalls['who'], ConsoleUser>;
  const existing = await accounts.list();
  for (const role of ['officer', 'auditor', 'admin'] as const) {
    const found = existing.find((u) => u.name === `bench-${role}`);
    const made = found ? await accounts.resetPassword(found.userId, by) : await accounts.add({ name: `bench-${role}`, role }, by);
    people[role] = await ConsoleUser.login(url, `bench-${role}`, made.oneTimePassword, 'bench-password-2025');
  }
  const { month, fromDay, toDay, subject, user } = sample;
  const page1 = await people.officer.json<{ items: Array<{ id: string }> }>(
    'GET',
    `/api/console/findings?from=${fromDay}&to=${toDay}&pageSize=50`,
  );
  const purpose = encodeURIComponent('性能測定');
  const pages: PageCalls[] = [
    { page: 'ダッシュボード', who: 'officer', calls: [`/api/console/dashboard?month=${month}`] },
    { page: '検知一覧', who: 'officer', calls: [`/api/console/findings?from=${fromDay}&to=${toDay}&pageSize=50`, '/api/console/options'] },
    { page: '検知詳細', who: 'officer', calls: page1.items[0] ? [`/api/console/findings/${page1.items[0].id}`] : [] },
    { page: '住民の照会履歴', who: 'officer', calls: [`/api/events?subject=${subject}&purpose=${purpose}&reference=bench&limit=5000`] },
    {
      page: '職員の操作履歴',
      who: 'officer',
      calls: [
        `/api/events?user=${user}&from=${fromDay}&to=${toDay}&purpose=${purpose}&limit=1000`,
        `/api/console/findings?userId=${user}&from=${fromDay}&to=${toDay}&pageSize=500`,
      ],
    },
    { page: '報告書', who: 'officer', calls: ['/api/reports'] },
    { page: 'マスタ・ルール', who: 'officer', calls: ['/api/masters', '/api/rules'] },
    { page: '監査ログ', who: 'auditor', calls: ['/api/audit?page=1&pageSize=100'] },
    { page: '利用者', who: 'admin', calls: ['/api/users', '/api/tokens'] },
  ];
  const out: PageTimings = { pages: {}, slowestCallMs: 0, loadAverage: [] };
  for (const p of pages) {
    const calls: Record<string, { medianMs: number; firstMs: number }> = {};
    for (const path of p.calls) {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        const res = await people[p.who].request('GET', path);
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`${path}: ${res.status}`);
        times.push(performance.now() - t);
      }
      const sorted = [...times].sort((a, b) => a - b);
      calls[path.split('?')[0].replace(/[0-9a-f]{32}/, '{id}')] = { medianMs: round(sorted[2]), firstMs: round(times[0]) };
    }
    const medians = Object.values(calls).map((c) => c.medianMs);
    out.pages[p.page] = { calls, slowestCallMs: Math.max(0, ...medians), sumMs: round(medians.reduce((a, b) => a + b, 0)) };
    out.slowestCallMs = Math.max(out.slowestCallMs, ...medians);
  }
  out.loadAverage = loadavg().map((l) => round(l));
  return out;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** A resident and a staff member of the month whose accesses the 開示請求 and timeline pages look up. */
export async function sampleOfMonth(client: ClickHouseClient, fromDay: string, toDay: string): Promise<{ subject: string; user: string }> {
  const [pick] = await (
    await client.query({
      query: `SELECT (SELECT subject_id FROM ${TABLES.events} WHERE source = 'jumin' AND subject_id != '' AND day >= {from:Date} AND day <= {to:Date}
                      ORDER BY cityHash64(event_id) LIMIT 1) AS subject,
                     (SELECT user_id FROM ${TABLES.events} WHERE source = 'jumin' AND day >= {from:Date} AND day <= {to:Date}
                      ORDER BY cityHash64(event_id) LIMIT 1) AS user`,
      query_params: { from: fromDay, to: toDay },
      format: 'JSONEachRow',
    })
  ).json<{ subject: string; user: string }>();
  return pick;
}
