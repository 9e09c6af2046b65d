import { z } from 'zod';
import { ALL_EVENTS, defineRule, RuleDefinition } from '@kansa/rules/core/define-rule';
import { TABLES } from '@kansa/storage';

interface LateRow {
  user_id: string;
  day: string;
  n: string;
  ids: string[];
  first_at: string;
  last_at: string;
}

/**
 * A small rule of the analyzer's own tests (not in the catalogue): views at
 * or after `fromHour` o'clock, one finding per user and day.
 */
export function lateViewRule(version = 1, fromHour = 20): RuleDefinition<{ fromHour: number }, LateRow> {
  return defineRule<{ fromHour: number }, LateRow>({
    id: 'test-late-view',
    title: '夜間の照会（テスト用）',
    version,
    severity: 'medium',
    guideline: 'テスト',
    description: 'テスト用のルール',
    explain: { sentence: (p) => `${p.fromHour}時以降の照会（テスト用）`, count: { of: '照会件数', unit: '件' } },
    reads: { events: ALL_EVENTS, masters: [], lookbackDays: 0 },
    params: z.object({ fromHour: z.number().int().min(0).max(23).default(fromHour) }).strict(),
    query: (ctx) => ({
      query: `SELECT user_id, toString(day) AS day, count() AS n, groupArray(1000)(event_id) AS ids,
                     toString(min(ts)) AS first_at, toString(max(ts)) AS last_at
              FROM ${TABLES.events}
              WHERE ts >= {from:DateTime64(3, 'Asia/Tokyo')} AND ts < {to:DateTime64(3, 'Asia/Tokyo')}
                AND action = 'view' AND toHour(ts, 'Asia/Tokyo') >= {fromHour:UInt8}
              GROUP BY user_id, day`,
      query_params: { from: ctx.from, to: ctx.to, fromHour: ctx.params.fromHour },
    }),
    toFinding: (row) => ({
      day: row.day,
      userId: row.user_id,
      subject: row.user_id,
      count: Number(row.n),
      firstAt: row.first_at,
      lastAt: row.last_at,
      summary: `${row.user_id} が夜間に ${row.n} 件照会`,
      evidenceIds: row.ids,
      evidenceTotal: Number(row.n),
    }),
  });
}
