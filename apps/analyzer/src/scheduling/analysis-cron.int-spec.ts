import { SchedulerRegistry } from '@nestjs/schedule';
import { openTestStore, TestStore } from '@kansa/test-kit';
import { jstTimestamp } from '../core/clock';
import { openAnalyzerApp } from '../testing/analyzer-test-app';
import { lateViewRule } from '../testing/test-rules';

describe('analyzer cron jobs (service mode)', () => {
  let store: TestStore;

  beforeAll(async () => {
    store = await openTestStore();
  });
  afterAll(async () => store?.close());

  it('registers the incremental and daily runs, the preparation ahead and the watch over the audit on Japan time, only when scheduling is imported', async () => {
    const analyzer = { ...store.config.analyzer, catchUpOnStart: false, dailyCron: '0 1 * * *', incrementalCron: '*/5 * * * *' };
    const service = await openAnalyzerApp(store, { rules: [lateViewRule()], config: { analyzer }, scheduling: true });
    const registry = service.get(SchedulerRegistry);
    expect([...registry.getCronJobs().keys()].sort()).toEqual([
      'analysis-daily',
      'analysis-incremental',
      'audit-watch',
      'clock-watch',
      'prepare-ahead',
    ]);
    // The preparation ahead: every minute by default.
    expect(registry.getCronJob('prepare-ahead').nextDate().toJSDate().getTime() - Date.now()).toBeLessThanOrEqual(60_000);
    const nextDaily = registry.getCronJob('analysis-daily').nextDate().toJSDate();
    expect(jstTimestamp(nextDaily).slice(11)).toBe('01:00:00.000');
    const nextIncremental = registry.getCronJob('analysis-incremental').nextDate().toJSDate();
    expect(nextIncremental.getTime() - Date.now()).toBeLessThanOrEqual(5 * 60_000);
    // The watch: verification and volumes daily at 01:30, the clock every 5 minutes (casework.watch defaults).
    expect(jstTimestamp(registry.getCronJob('audit-watch').nextDate().toJSDate()).slice(11)).toBe('01:30:00.000');
    expect(registry.getCronJob('clock-watch').nextDate().toJSDate().getTime() - Date.now()).toBeLessThanOrEqual(5 * 60_000);
    await service.close();

    const without = await openAnalyzerApp(store, {
      rules: [lateViewRule()],
      config: { analyzer: { ...analyzer, prepareAheadCron: '' } },
      scheduling: true,
    });
    expect([...without.get(SchedulerRegistry).getCronJobs().keys()]).not.toContain('prepare-ahead');
    await without.close();

    const cli = await openAnalyzerApp(store, { rules: [lateViewRule()], config: { analyzer } });
    expect(() => cli.get(SchedulerRegistry)).toThrow();
    await cli.close();
  });
});
