import { INestApplicationContext } from '@nestjs/common';
import type { ApiClient } from '@kansa/service-shell';
import { openTestStore, TestStore } from '@kansa/test-kit';
import { AnalysisService } from '../detection/analysis.service';
import { insertEvents, openAnalyzerApp } from '../testing/analyzer-test-app';
import { lateViewRule } from '../testing/test-rules';
import { ConsoleModule } from './console.module';
import { DashboardService } from './dashboard.service';

const OFFICER: ApiClient = { kind: 'person', name: '監査 担当', role: 'officer' };
const NOW = '2025-04-20T10:00:00+09:00';

/** A rule reading every source, and one reading 住民記録 only. */
function rules(version = 1) {
  const all = lateViewRule(version);
  const jumin = { ...lateViewRule(version), id: 'test-late-view-jumin', reads: { events: ['jumin'], masters: [], lookbackDays: 0 } };
  return [all, jumin] as unknown as ReturnType<typeof lateViewRule>[];
}

describe('dashboard coverage heat map (real ClickHouse)', () => {
  let store: TestStore;
  let app: INestApplicationContext | undefined;

  beforeAll(async () => {
    store = await openTestStore();
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  afterAll(async () => {
    await store?.close();
  });

  async function open(version = 1) {
    await app?.close();
    app = await openAnalyzerApp(store, { module: ConsoleModule, rules: rules(version), now: NOW });
    return app;
  }

  async function heatMap(): Promise<Record<string, string>> {
    const d = await app!.get(DashboardService).month(OFFICER, '2025-04');
    return Object.fromEntries(d.coverage.cells.map((c) => [`${c.source} ${c.day}`, `${c.state} ${c.events}`]));
  }

  it('marks each source and day analysed, late (logs arrived after the analysis, or the rule changed), missing, closed or future', async () => {
    await open();
    await insertEvents(store, [
      { id: 'd1', ts: '2025-04-14 21:00:00.000', source: 'jumin' },
      { id: 'd2', ts: '2025-04-14 22:00:00.000', source: 'jumin' },
      { id: 'd3', ts: '2025-04-15 09:00:00.000', source: 'jumin' },
      { id: 'd4', ts: '2025-04-14 10:00:00.000', source: 'chukan' },
      { id: 'd6', ts: '2025-04-14 08:10:00.000', source: 'windows' },
    ]);
    await app!.get(AnalysisService).analyze({ fromDay: '2025-04-01', toDay: '2025-04-19' });
    let cells = await heatMap();
    expect(cells['jumin 2025-04-14']).toBe('analysed 2');
    expect(cells['jumin 2025-04-15']).toBe('analysed 1');
    expect(cells['chukan 2025-04-14']).toBe('analysed 1');
    expect(cells['chukan 2025-04-15']).toBe('missing 0'); // a Tuesday without logs
    expect(cells['jumin 2025-04-12']).toBe('closed 0'); // a Saturday
    expect(cells['jumin 2025-04-20']).toBe('future 0'); // today is not over
    // The four systems, then a configured one that has sent logs (Windows event logs), under its Japanese name.
    expect(Object.keys(cells)).toHaveLength(5 * 30);
    expect(cells['windows 2025-04-14']).toBe('analysed 1');
    expect(cells['windows 2025-04-15']).toBe('missing 0');
    expect((await app!.get(DashboardService).month(OFFICER, '2025-04')).coverage.sources.map((s) => s.title)).toEqual([
      '住民記録システム',
      '団体内統合宛名システム',
      '中間サーバー',
      '業務端末',
      '業務端末（Windows イベントログ）',
    ]);

    // A late file for the 15th: that day of 住民記録 is not analysed any more; the 14th still is.
    await insertEvents(store, [{ id: 'd5', ts: '2025-04-15 23:00:00.000', source: 'jumin', ingestedAt: '2025-04-20 09:00:00.000' }]);
    cells = await heatMap();
    expect(cells['jumin 2025-04-15']).toBe('late 2');
    expect(cells['jumin 2025-04-14']).toBe('analysed 2');
    expect(cells['chukan 2025-04-14']).toBe('analysed 1');

    // Analysed again: back to analysed.
    await app!.get(AnalysisService).analyze({ fromDay: '2025-04-15', toDay: '2025-04-15' });
    expect((await heatMap())['jumin 2025-04-15']).toBe('analysed 2');

    // A new version of the rules: every day with logs waits for its re-analysis.
    await open(2);
    cells = await heatMap();
    expect(cells['jumin 2025-04-14']).toBe('late 2');
    expect(cells['chukan 2025-04-14']).toBe('late 1');
    expect(cells['chukan 2025-04-15']).toBe('missing 0');
  }, 120_000);
});
