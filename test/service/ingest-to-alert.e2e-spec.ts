import { AlertDispatcher } from '@kansa/analyzer/alerts/alert-dispatcher.service';
import { AnalysisService } from '@kansa/analyzer/detection/analysis.service';
import { chukanRecords } from './fixtures';
import { startSmtpReceiver } from './receivers';
import { startTestService, TestService } from './service-harness';

/** The whole path: a sending system posts logs, the analysis finds 大量照会, security staff get one e-mail. */
describe('kansa serve: HTTP ingest → analysis → alert e-mail', () => {
  let svc: TestService;
  let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    svc = await startTestService({
      rules: { params: { 'mass-lookup': { threshold: 25 } } },
      alerts: {
        enabled: true,
        pollSeconds: 3600,
        email: { enabled: true, host: '127.0.0.1', port: smtp.port, from: 'kansa@city.example.lg.jp', to: ['security@city.example.lg.jp'] },
      },
    });
    await svc.app.get(AlertDispatcher).dispatchOnce();
  });
  afterAll(async () => {
    await svc?.close();
    await smtp?.close();
  });

  it('mails one alert for the finding, with no resident number, and not again after a re-analysis', async () => {
    const subjects = Array.from({ length: 30 }, (_, i) => `0100000000${String(60000 + i).padStart(5, '0')}`);
    const records = chukanRecords(30, { day: '2025-04-23', operator: 'K005555' }).map((r, i) => ({ ...r, subject: subjects[i] }));
    const res = await svc.request('/api/ingest/chukan', { method: 'POST', token: svc.tokens.ingest, json: records });
    expect(await res.json()).toMatchObject({ stored: 30 });

    const analysis = svc.app.get(AnalysisService);
    const run = await analysis.analyze({ fromDay: '2025-04-23', toDay: '2025-04-23', rules: ['mass-lookup'] });
    expect(run.findings).toBe(1);
    await svc.app.get(AlertDispatcher).dispatchOnce();
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0];
    expect(mail.subject).toContain('大量照会');
    expect(mail.text).toContain('職員ID: K005555');
    expect(mail.text).toContain('件数: 30');
    for (const s of subjects) expect(mail.raw + mail.text).not.toContain(s);

    await analysis.analyze({ fromDay: '2025-04-23', toDay: '2025-04-23', rules: ['mass-lookup'] });
    await svc.app.get(AlertDispatcher).dispatchOnce();
    expect(smtp.mails).toHaveLength(1);
  });
});
