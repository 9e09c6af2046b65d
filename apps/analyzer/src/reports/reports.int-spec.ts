import { INestApplicationContext } from '@nestjs/common';
import { join } from 'node:path';
import { openTestStore, TestStore } from '@kansa/test-kit';
import { ReportsService, MadeReport } from './reports.service';
import { seedReportMonth } from './testing/report-month.fixture';
import { openReportsApp } from './testing/reports-test-app';

const ARTIFACTS = join(__dirname, '..', '..', '..', '..', 'test', 'artifacts', 'report');

describe('monthly report (real ClickHouse)', () => {
  let store: TestStore;
  let app: INestApplicationContext;
  let made: MadeReport;

  beforeAll(async () => {
    store = await openTestStore();
    await seedReportMonth(store);
    app = await openReportsApp(store, '2025-05-08T09:00:00+09:00');
    made = await app.get(ReportsService).make('2025-04', { outDir: ARTIFACTS, trigger: 'test' });
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  it('writes four formats', () => {
    expect(made.files.map((f) => f.format)).toEqual(['pdf', 'html', 'xlsx', 'csv']);
  });
});
