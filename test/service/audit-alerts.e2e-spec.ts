import { AuditAlertDispatcher } from '@kansa/analyzer/alerts/audit-alert-dispatcher.service';
import { AuditWatchService } from '@kansa/analyzer/casework/watch/audit-watch.service';
import { MastersService } from '@kansa/masters';
import { TABLES } from '@kansa/storage';
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chukanRecords } from './fixtures';
import { ReceivedMail, startSmtpReceiver } from './receivers';
import { startTestService, TestService } from './service-harness';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

const MASTERS = join(__dirname, '../../libs/masters/src/fixtures/valid');
/** Resident numbers of the watchlist and of the logs: none may leave kansa in an audit alert. */
const RESIDENT_DATA = ['1000000009', '010000000053217', 'DV等支援措置,1000000009'];

/**
 * 監査の改ざん検知 end to end: the 監査担当 get exactly one e-mail (a real
 * SMTP receiver) for each change that could hide misuse — a watchlist entry
 * removed, a rule disabled in the configuration, rows deleted behind kansa's
 * back — on their own list, never the システム管理室's, with no resident data.
 */
describe('kansa serve: alerts to the 監査担当 when the audit itself is changed', () => {
  let svc: TestService;
  let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
  const config = (port: number, disabled: string[] = []) => ({
    rules: { disabled },
    alerts: {
      enabled: true,
      pollSeconds: 3600,
      email: { enabled: true, host: '127.0.0.1', port, from: 'kansa@city.example.lg.jp', to: ['security@city.example.lg.jp'] },
      audit: { email: ['kansa-audit@city.example.lg.jp'] },
    },
  });
  /** The mails of one step: what arrived while `step` ran and the dispatcher's round after it. */
  const mailsOf = async (step: () => Promise<unknown>): Promise<ReceivedMail[]> => {
    const before = smtp.mails.length;
    await step();
    await svc.app.get(AuditAlertDispatcher).dispatchOnce();
    return smtp.mails.slice(before);
  };
  const mastersFolder = (edit: (dir: string) => void = () => undefined) => {
    const dir = scratchDir('audit-masters');
    cpSync(MASTERS, dir, { recursive: true });
    rmSync(join(dir, 'notes.csv'));
    edit(dir);
    return dir;
  };
  const expectNoResidentData = (mails: ReceivedMail[]) => {
    for (const m of mails) for (const r of RESIDENT_DATA) expect(m.raw + m.text + m.subject).not.toContain(r);
  };

  beforeAll(async () => {
    smtp = await startSmtpReceiver();
    svc = await startTestService(config(smtp.port));
    // The first start records the configuration's baseline, the first master load is recorded too: both quietly.
    const quiet = await mailsOf(() => svc.app.get(MastersService).load(mastersFolder(), { by: '総務 田中' }));
    expect(quiet).toEqual([]);
    const stored = await svc.request('/api/ingest/chukan', { method: 'POST', token: svc.tokens.ingest, json: chukanRecords(20) });
    expect(await stored.json()).toMatchObject({ stored: 20 });
  });
  afterAll(async () => {
    await svc?.close();
    await smtp?.close();
  });

  it('a watchlist entry removed: one e-mail to the 監査担当 naming the category and who loaded it, not the resident', async () => {
    const empty = mastersFolder((dir) =>
      writeFileSync(join(dir, 'watchlist.csv'), '区分,宛名番号,統合宛名番号,開始日,終了日,担当所属コード\n'),
    );
    const mails = await mailsOf(() => svc.app.get(MastersService).load(empty, { by: '総務 田中' }));
    expect(mails).toHaveLength(1);
    expect(mails[0].to).toEqual(['kansa-audit@city.example.lg.jp']);
    expect(mails[0].subject).toContain('[kansa 監査]');
    expect(mails[0].text).toContain('見守り対象（DV等支援措置）の削除 1 件');
    expect(mails[0].text).toContain('実施者: 総務 田中');
    expectNoResidentData(mails);
  });

  it('a rule disabled in the configuration: one e-mail at the next start, naming the rule', async () => {
    const dataDir = svc.dataDir;
    const tokens = svc.tokens;
    await svc.close();
    svc = await startTestService(config(smtp.port, ['off-hours']), dataDir, tokens);
    const mails = await mailsOf(async () => undefined);
    expect(mails).toHaveLength(1);
    expect(mails[0].to).toEqual(['kansa-audit@city.example.lg.jp']);
    expect(mails[0].text).toContain('off-hours');
    expect(mails[0].text).toContain('実施者: 設定ファイル (起動時に検出)');
    // Started again unchanged: nothing new.
    await svc.close();
    svc = await startTestService(config(smtp.port, ['off-hours']), dataDir, tokens);
    expect(await mailsOf(async () => undefined)).toEqual([]);
  });

  it('rows deleted behind kansa (ALTER TABLE … DELETE): the scheduled verification finds it, one e-mail, not again the next day', async () => {
    await svc.client.command({ query: `ALTER TABLE ${TABLES.events} DELETE WHERE line_no IN (3, 4) SETTINGS mutations_sync = 2` });
    const watch = svc.app.get(AuditWatchService);
    const mails = await mailsOf(() => watch.check());
    expect(mails).toHaveLength(1);
    expect(mails[0].to).toEqual(['kansa-audit@city.example.lg.jp']);
    expect(mails[0].subject).toContain('改ざん検知チェーンの検証失敗');
    expect(mails[0].text).toContain('改ざん検知チェーンの検証に失敗しました');
    expect(mails[0].text).toContain('chukan');
    expectNoResidentData(mails);
    // The same breakage found by the next day's check is not news.
    expect(await mailsOf(() => watch.check())).toEqual([]);
    // The システム管理室 got none of these.
    expect(smtp.mails.filter((m) => m.to.includes('security@city.example.lg.jp'))).toEqual([]);
  });

  it('the changes are in the audit log of the HTTP API, newest first', async () => {
    const res = await svc.request('/api/audit/changes?kind=masters,config,verify-failed', { token: svc.tokens.read });
    expect(res.status).toBe(200);
    const changes = (await res.json()) as Array<{ kind: string; actor: string }>;
    expect(changes.map((c) => c.kind)).toEqual(['verify-failed', 'config', 'masters']);
    const bad = await svc.request('/api/audit/changes?from=2025-02-30', { token: svc.tokens.read });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('from');
  });
});
