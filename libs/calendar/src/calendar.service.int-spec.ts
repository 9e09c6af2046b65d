import { openTestStore, TestStore } from '@kansa/test-kit';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MastersRepository } from '@kansa/masters/masters.repository';
import { CalendarDaysRepository } from './calendar-days.repository';
import { CalendarService } from './calendar.service';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

describe('CalendarService (embedded ClickHouse)', () => {
  let store: TestStore;
  let masters: MastersRepository;
  let calendar: CalendarService;
  let dir: string;

  beforeAll(async () => {
    store = await openTestStore();
    masters = new MastersRepository(store.client);
    calendar = new CalendarService(new CalendarDaysRepository(store.client), masters);
    dir = scratchDir('cal');
  });
  afterAll(async () => {
    await store.close();
  });

  it('writes national holidays only (version 0) before any calendar.csv', async () => {
    expect(await calendar.prepare('2025-04-26', '2025-05-07')).toBe(0);
    const days = await calendar.days(0, '2025-04-26', '2025-05-07');
    expect(days).toHaveLength(12);
    expect(days.find((d) => d.date === '2025-04-27')).toEqual({ date: '2025-04-27', businessDay: false, label: '日曜' });
    expect(days.find((d) => d.date === '2025-05-06')).toEqual({ date: '2025-05-06', businessDay: false, label: '振替休日' });
  });

  it('applies the loaded calendar.csv and never writes a day twice', async () => {
    writeFileSync(join(dir, 'calendar.csv'), '日付,区分,備考\n2025-04-27,開庁,休日開庁\n2025-04-30,閉庁,庁舎停電\n');
    await masters.load(dir, { effectiveFrom: '2025-04-01' });
    expect(await calendar.prepare('2025-04-14', '2025-04-30')).toBe(1);
    expect(await calendar.prepare('2025-04-01', '2025-04-30')).toBe(1);
    const days = await calendar.days(1, '2025-04-01', '2025-04-30');
    expect(days.find((d) => d.date === '2025-04-27')).toEqual({
      date: '2025-04-27',
      businessDay: true,
      label: '開庁日（休日開庁）: 休日開庁',
    });
    expect(days.find((d) => d.date === '2025-04-30')).toEqual({ date: '2025-04-30', businessDay: false, label: '閉庁日: 庁舎停電' });
    const [{ n, d }] = await store.rows<{ n: string; d: string }>(
      'SELECT count() AS n, uniqExact(date) AS d FROM calendar_days WHERE calendar_version = 1',
    );
    expect(Number(n)).toBe(30);
    expect(Number(d)).toBe(30);
  });
});
