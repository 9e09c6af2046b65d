import { z } from 'zod';
import { defineRule, RULES } from '@kansa/rules';
import { migrate, TABLES } from '@kansa/storage';
import { openTestStore, TestStore } from '@kansa/test-kit';
import { insertEvents, openAnalyzerApp } from '../testing/analyzer-test-app';
import { CoverageService } from './coverage.service';

/** A rule of this test only, reading 住民記録 events (and, as given, masters or a look-back). */
function juminRule(id: string, masters: Array<'staff'>, lookbackDays: number) {
  return defineRule({
    id,
    title: 'テスト用',
    version: 1,
    severity: 'low',
    guideline: 'テスト',
    description: 'テスト用のルール',
    explain: { sentence: () => 'テスト用', count: { of: '件数', unit: '件' } },
    reads: { events: ['jumin'], masters, lookbackDays },
    params: z.object({}).strict(),
    query: () => ({ query: `SELECT 1 FROM ${TABLES.events} WHERE source = {source:String}`, query_params: { source: 'jumin' } }),
    toFinding: () => {
      throw new Error('not run in this test');
    },
  });
}

/**
 * An existing data directory whose ledger was written before migration 070
 * (no look-back or masters columns): after the upgrade, an old row still
 * counts as analysed for a rule that reads only the day's events of its
 * declared sources, and the day is due once for every other rule.
 */
describe('analysis ledger written before migration 070 (real ClickHouse)', () => {
  let store: TestStore;

  beforeAll(async () => {
    store = await openTestStore();
  });
  afterAll(async () => store?.close());

  it('keeps old rows meaningful after the upgrade: due once where the rule reads more than they recorded', async () => {
    // The data directory as it was before 070: the ledger as 004 created it.
    await store.client.command({
      query: `ALTER TABLE ${TABLES.analysisLedger} DROP COLUMN masters, DROP COLUMN lookback_mark, DROP COLUMN lookback_events`,
    });
    await store.client.command({ query: `DELETE FROM ${TABLES.migrations} WHERE version = 70` });
    await insertEvents(store, [
      { id: 'old-1', ts: '2025-06-02 10:00:00.000', ingestedAt: '2025-06-03 01:00:00.000' },
      { id: 'old-2', ts: '2025-06-03 10:00:00.000', ingestedAt: '2025-06-04 01:00:00.000' },
    ]);
    // What the old analyzer wrote for 06-03: one row per declared source, '' for the rules that declared none.
    const oldSources: Record<string, string> = {
      'missing-reason': 'jumin',
      'external-media': 'terminal',
      'test-staff': 'jumin',
      'test-lookback': 'jumin',
    };
    await store.client.insert({
      table: TABLES.analysisLedger,
      format: 'JSONEachRow',
      values: [...RULES.map((r) => r.id), 'test-staff', 'test-lookback'].map((rule) => {
        const source = oldSources[rule] ?? '';
        return {
          rule,
          day: '2025-06-03',
          source,
          rule_version: 1,
          events_seen: source === 'jumin' ? 1 : 0,
          data_mark: source === 'jumin' ? '2025-06-04 01:00:00.000' : '1970-01-01 09:00:00.000',
          analyzed_at: '2025-06-04 02:00:00.000',
          run_id: 'old-run',
        };
      }),
    });

    expect(await migrate(store.client)).toEqual(['070_ledger_reads']);

    const rules = [...RULES, juminRule('test-staff', ['staff'], 0), juminRule('test-lookback', [], 5)];
    const app = await openAnalyzerApp(store, { rules, now: '2025-06-05T10:00:00+09:00' });
    const cells = await app.get(CoverageService).assess('2025-06-03', '2025-06-03');
    await app.close();
    expect(Object.fromEntries(cells.map((c) => [c.rule, c.state]))).toEqual({
      // reads the day's jumin events only: the old row still says it is analysed
      'missing-reason': 'analysed',
      // declared no sources (or only terminal) then and read every source: analysed again once
      ...Object.fromEntries(RULES.filter((r) => r.id !== 'missing-reason').map((r) => [r.id, 'never'])),
      // old rows recorded no masters and no look-back
      'test-staff': 'masters-changed',
      'test-lookback': 'lookback-changed',
    });
  });
});
