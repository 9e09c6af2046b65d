import { EvtxWriter } from '@kansa/demo/evtx-writer';
import { myNumberCheckDigit } from '@kansa/domain/my-number';
import { openTestStore, TestStore } from '@kansa/test-kit';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EvtxReader } from '../../sources/file-import/evtx/evtx-reader';
import { CollectorKit, startCollector } from '../../testing/collector-test-kit';
import { evtxDumpLine, flatLine, winlogbeatLine } from './testing/json-shapes';
import { WinEvent } from './win-event';
import { scratchDir } from '@kansa/test-kit/scratch-dir';

const FIXTURES = join(__dirname, 'fixtures');
const REAL = readdirSync(FIXTURES).filter((f) => f.endsWith('.evtx'));

function fixtureEvents(): WinEvent[] {
  return REAL.flatMap((f) => new EvtxReader().push(readFileSync(join(FIXTURES, f))).flatMap((i) => (i.kind === 'event' ? [i.event] : [])));
}

describe('Windows Security event logs recorded by others, imported (source windows)', () => {
  let store: TestStore;
  let collector: CollectorKit;
  const dir = scratchDir('windows');

  beforeAll(async () => {
    store = await openTestStore();
    collector = await startCollector(store);
  });
  afterAll(async () => {
    await collector.close();
    await store.close();
  });

  it('imports each .evtx file: staff events stored, the rest kept apart and counted by kind, every record accounted for', async () => {
    const results: Record<string, unknown> = {};
    for (const f of REAL) {
      const r = await collector.files.importFile(join(FIXTURES, f), { instance: 'evtx' });
      expect(r.source).toBe('windows');
      expect(r.read).toBe(r.stored + r.duplicates + r.quarantined + r.apart + r.setAside);
      results[f] = { read: r.read, stored: r.stored, apart: r.apart, quarantined: r.quarantined, apartKinds: r.apartKinds };
    }
    expect(results).toEqual({
      '4624-pass-the-hash.evtx': {
        read: 8,
        stored: 2, // 1102 (log cleared), 4624 type 9
        apart: 6,
        quarantined: 0,
        apartKinds: {
          '未使用のイベントID: 4672': 1,
          '未使用のイベントID: 4688': 2,
          '未使用のイベントID: 4964': 1,
          '未使用のイベントID: 5145': 2,
        },
      },
      '4625-bruteforce-valid-users.evtx': {
        read: 11,
        stored: 6, // 4624 type 3 of admmig, 4625 ×5
        apart: 5,
        quarantined: 0,
        apartKinds: {
          '非職員アカウント: コンピューターアカウント': 2, // 4648 by FS01$
          '非職員アカウント: VIRTUAL USERS の仮想アカウント': 1, // 4624 of sshd_4332
          '未使用のイベントID: 4688': 2,
        },
      },
      '4674-6416-external-device.evtx': {
        read: 6,
        stored: 0,
        apart: 6,
        quarantined: 0,
        // the 6416 is a print queue: not external media
        apartKinds: { '未使用のイベントID: 4674': 2, '未使用のイベントID: 4688': 3, '未使用のイベントID: 6416 (PrintQueue)': 1 },
      },
      '4720-4726-created-deleted-user.evtx': { read: 2, stored: 2, apart: 0, quarantined: 0, apartKinds: {} },
      '4720-local-user-created.evtx': { read: 2, stored: 1, apart: 1, quarantined: 0, apartKinds: { '未使用のイベントID: 4732': 1 } },
      '4776-4625-local-bruteforce.evtx': { read: 16, stored: 16, apart: 0, quarantined: 0, apartKinds: {} },
    });

    // per event ID and per user, as stored
    const byId = await store.rows<{ screen_id: string; action: string; n: string }>(
      `SELECT screen_id, action, count() AS n FROM events WHERE source = 'windows' GROUP BY screen_id, action ORDER BY screen_id, action`,
    );
    expect(byId.map((r) => [r.screen_id, r.action, Number(r.n)])).toEqual([
      ['1102', 'audit_log_clear', 1],
      ['4624', 'network_login', 2],
      ['4625', 'login_failure', 21],
      ['4720', 'account_create', 2],
      ['4726', 'account_delete', 1],
    ]);
    const byUser = await store.rows<{ user_id: string; n: string }>(
      `SELECT user_id, count() AS n FROM events WHERE source = 'windows' GROUP BY user_id ORDER BY user_id`,
    );
    expect(byUser.map((r) => [r.user_id, Number(r.n)])).toEqual([
      ['Admin', 8],
      ['Administrator', 8],
      ['admmig', 9], // UPN admmig@offsec.lan and OFFSEC\admmig are one account
      ['lambda-user', 2],
    ]);
    const apartRows = await store.rows<{ n: string }>(`SELECT count() AS n FROM events_apart WHERE source = 'windows'`);
    expect(Number(apartRows[0].n)).toBe(18);

    // the Windows meaning is kept: the failure named in Japanese with its codes, the logon type, the terminal
    const [failure] = await store.rows<Record<string, string>>(
      `SELECT user_id, terminal_id, outcome, reason FROM events WHERE screen_id = '4625' AND user_id = 'Administrator' LIMIT 1`,
    );
    expect(failure).toEqual({
      user_id: 'Administrator',
      terminal_id: 'WIN',
      outcome: 'failure',
      reason: 'ログオン失敗: パスワード誤り (Status 0xc000006d, SubStatus 0xc000006a)、ログオンの種類 2 対話型、接続元 端末 WIN',
    });
    const [network] = await store.rows<Record<string, string>>(
      `SELECT terminal_id, object, reason FROM events WHERE screen_id = '4624' AND reason LIKE '%ネットワーク%'`,
    );
    expect(network).toEqual({
      terminal_id: '', // not a session at a terminal
      object: 'FS01',
      reason: 'ログオン (端末の前ではない): ログオンの種類 3 ネットワーク、接続元 端末 FS01',
    });

    // re-sent: every record a duplicate — the events and the lines kept apart — nothing stored twice
    const apartOfEvtx = () => store.rows<{ n: string }>(`SELECT count() AS n FROM events_apart WHERE instance = 'evtx'`);
    const keptApart = await apartOfEvtx();
    const again = await collector.files.importFile(join(FIXTURES, '4776-4625-local-bruteforce.evtx'), { instance: 'evtx' });
    expect(again).toMatchObject({ read: 16, stored: 0, duplicates: 16 });
    const passTheHash = await collector.files.importFile(join(FIXTURES, '4624-pass-the-hash.evtx'), { instance: 'evtx' });
    expect(passTheHash).toMatchObject({ read: 8, stored: 0, apart: 0, duplicates: 8, apartKinds: {} });
    expect(await apartOfEvtx()).toEqual(keptApart);
    expect((await collector.verify.verify()).ok).toBe(true);
    // what each commit held in memory (the staged rows, read more than once) is freed with it
    expect(
      await store.rows("SELECT name FROM system.tables WHERE database = currentDatabase() AND name LIKE 'ingest_staging_m_%'"),
    ).toEqual([]);
  });

  it('the three JSON shapes of the same events give the same stored events as the .evtx files (and are their duplicates)', async () => {
    const events = fixtureEvents();
    const shapes = { winlogbeat: winlogbeatLine, evtxdump: evtxDumpLine, flat: flatLine };
    for (const [name, line] of Object.entries(shapes)) {
      const path = join(dir, `WINDOWS_${name}.jsonl`);
      writeFileSync(path, events.map(line).join('\n') + '\n');
      const r = await collector.files.importFile(path, { instance: name });
      expect({ name, read: r.read, stored: r.stored, apart: r.apart, quarantined: r.quarantined }).toEqual({
        name,
        read: 45,
        stored: 27,
        apart: 18,
        quarantined: 0,
      });
      // the same records under the .evtx files' instance: every one a duplicate, those kept apart too
      const same = await collector.files.importFile(path, { instance: 'evtx' });
      expect(same).toMatchObject({ stored: 0, apart: 0, duplicates: 45 });
    }
    const fields = `toUnixTimestamp64Milli(ts) AS t, user_id, terminal_id, client_ip, action, screen_id, reason, outcome, object, source_event_id`;
    const of = (instance: string) =>
      store.rows(`SELECT ${fields} FROM events WHERE source = 'windows' AND instance = {i:String} ORDER BY source_event_id`, {
        i: instance,
      });
    const evtx = await of('evtx');
    expect(evtx).toHaveLength(27);
    for (const name of Object.keys(shapes)) expect(await of(name)).toEqual(evtx);
  });

  it('JSON lines by HTTP or Kafka (the ingest service) are read the same way', async () => {
    const events = fixtureEvents().filter((e) => e.eventId === 1102);
    const r = await collector.ingest.ingest({
      source: 'windows',
      instance: 'http',
      transport: 'http',
      origin: 'http:test',
      records: events.map((e, i) => ({ lineNo: i + 1, text: winlogbeatLine(e) })),
    });
    expect(r).toMatchObject({ read: 1, stored: 1, apart: 0 });
  });

  it('a large batch (its staged rows held in memory for the commit) is stored once, and sent again is all duplicates', async () => {
    // More than 8 MiB of staged event rows and of kept-apart rows: the commit holds both in memory (staging.writer HOLD_BYTES).
    const n = 14_000;
    const input = Array.from({ length: 2 * n }, (_, i) => ({
      eventId: 4624,
      timeMs: Date.parse('2026-04-02T00:00:00Z') + i * 100,
      computer: `WS-100200-${String(i % 50).padStart(3, '0')}.city.local`,
      data: [
        ['TargetUserName', i % 2 === 0 ? `K${String(200000 + (i % 300))}` : `WS-100200-${String(i % 50).padStart(3, '0')}$`],
        ['TargetDomainName', 'CITY'],
        ['LogonType', '2'],
        ['IpAddress', '10.2.0.5'],
        ['ProcessName', 'C:\\Windows\\System32\\svchost.exe'],
      ] as Array<[string, string]>,
    }));
    const path = join(dir, 'PC-LARGE-Security.evtx');
    writeFileSync(path, EvtxWriter.file(input));
    const first = await collector.files.importFile(path);
    expect(first).toMatchObject({ read: 2 * n, stored: n, apart: n, duplicates: 0, quarantined: 0, batchIds: [expect.any(String)] });
    const again = await collector.files.importFile(path);
    expect(again).toMatchObject({ read: 2 * n, stored: 0, apart: 0, duplicates: 2 * n });
    const [c] = await store.rows<{ events: string; apart: string }>(
      `SELECT (SELECT count() FROM events WHERE source = 'windows' AND position(raw, 'WS-100200-') > 0) AS events,
        (SELECT count() FROM events_apart WHERE source = 'windows' AND position(raw, 'WS-100200-') > 0) AS apart`,
    );
    expect([Number(c.events), Number(c.apart)]).toEqual([n, n]);
    expect(
      await store.rows("SELECT name FROM system.tables WHERE database = currentDatabase() AND name LIKE 'ingest_staging_m_%'"),
    ).toEqual([]);
    expect((await collector.verify.verify()).ok).toBe(true);
  });

  it('a kept-apart record is stored on the JST day of its own time; sent again it is recognised, also among rows stored before days were kept', async () => {
    const at = (iso: string) => ({
      eventId: 4624,
      timeMs: Date.parse(iso),
      computer: 'WS-DAYTEST-1.city.local',
      data: [
        ['TargetUserName', 'WS-DAYTEST-1$'],
        ['TargetDomainName', 'CITY'],
        ['LogonType', '3'],
      ] as Array<[string, string]>,
    });
    // 23:59:59 and 00:00:00 JST: two days
    const path = join(dir, 'PC-DAYTEST-Security.evtx');
    writeFileSync(path, EvtxWriter.file([at('2026-04-05T14:59:59Z'), at('2026-04-05T15:00:00Z')]));
    expect(await collector.files.importFile(path)).toMatchObject({ read: 2, stored: 0, apart: 2 });
    const days = () =>
      store.rows<{ day: string }>("SELECT toString(day) AS day FROM events_apart WHERE position(raw, 'WS-DAYTEST-1') > 0 ORDER BY line_no");
    expect((await days()).map((r) => r.day)).toEqual(['2026-04-05', '2026-04-06']);
    expect(await collector.files.importFile(path)).toMatchObject({ read: 2, apart: 0, duplicates: 2 });
    // Rows stored by a kansa before this version read as 1970-01-01: a re-send of their file is still recognised.
    await store.client.command({
      query: "ALTER TABLE events_apart UPDATE day = toDate(0) WHERE position(raw, 'WS-DAYTEST-1') > 0 SETTINGS mutations_sync = 2",
    });
    expect((await days()).map((r) => r.day)).toEqual(['1970-01-01', '1970-01-01']);
    expect(await collector.files.importFile(path)).toMatchObject({ read: 2, apart: 0, duplicates: 2 });
    expect((await collector.verify.verify()).ok).toBe(true);
  });

  it('a damaged chunk is quarantined with its offset; the other chunks are stored', async () => {
    const input = Array.from({ length: 2500 }, (_, i) => ({
      eventId: 4624,
      timeMs: Date.parse('2026-04-01T00:00:00Z') + i * 1000,
      computer: 'WS-100100-001.city.local',
      data: [
        ['TargetUserName', `K${String(100000 + (i % 40))}`],
        ['TargetDomainName', 'CITY'],
        ['LogonType', '2'],
        ['IpAddress', '10.1.0.5'],
      ] as Array<[string, string]>,
    }));
    const bytes = EvtxWriter.file(input);
    const chunks = Math.ceil((bytes.length - 4096) / 65536);
    expect(chunks).toBeGreaterThanOrEqual(3);
    const broken = Buffer.from(bytes);
    broken[4096 + 65536 + 1000] ^= 0xff;
    const path = join(dir, 'PC001-Security.evtx');
    writeFileSync(path, broken);
    const r = await collector.files.importFile(path);
    const lostRecords = input.length - r.stored;
    expect(r.quarantined).toBe(1);
    expect(lostRecords).toBeGreaterThan(50);
    expect(r.read).toBe(r.stored + 1);
    expect(r.reasons).toEqual({
      '(チャンク): イベントレコードのチェックサムが一致しません — チャンク 1 (オフセット 69632 = 0x11000)、レコード番号 209〜416': 1,
    });
    expect(lostRecords).toBe(416 - 209 + 1);
    const [q] = await store.rows<Record<string, string>>(
      `SELECT field, reason, origin FROM quarantine WHERE origin LIKE '%PC001-Security.evtx%'`,
    );
    expect(q.field).toBe('(チャンク)');
    expect(q.reason).toContain('イベントレコードのチェックサムが一致しません');
    expect(q.reason).toContain(`オフセット ${4096 + 65536} = 0x11000`);
    expect(q.reason).toMatch(/レコード番号 \d+〜\d+/);
    expect(q.origin).toBe(`${path} (チャンク 1, オフセット ${4096 + 65536})`);
  });

  it('a 個人番号 in an .evtx field is masked in every stored column (the record read from the file is not used as is)', async () => {
    const number = '12345678901' + myNumberCheckDigit('12345678901');
    const path = join(dir, 'PC002-Security.evtx');
    writeFileSync(
      path,
      EvtxWriter.file([
        {
          eventId: 4663,
          task: 12812, // Removable Storage
          timeMs: Date.parse('2026-04-01T01:00:00Z'),
          computer: 'WS-100100-002',
          data: [
            ['SubjectUserName', 'K000001'],
            ['SubjectDomainName', 'CITY'],
            ['ObjectType', 'File'],
            ['ObjectName', `\\Device\\HarddiskVolume7\\${number}_住民票.xlsx`],
            ['AccessMask', '0x2'],
            ['ProcessName', 'C:\\Windows\\explorer.exe'],
          ],
        },
      ]),
    );
    const r = await collector.files.importFile(path);
    expect(r).toMatchObject({ read: 1, stored: 1 });
    const [e] = await store.rows<Record<string, string>>(`SELECT action, object, raw FROM events WHERE batch_id = {b:String}`, {
      b: r.batchId,
    });
    expect(e.action).toBe('file_write_external');
    expect(e.object).toBe('\\Device\\HarddiskVolume7\\************_住民票.xlsx');
    expect(e.raw).not.toContain(number);
  });

  it('the lines kept apart are part of the chain: one removed is found by verify', async () => {
    const r = await collector.files.importFile(join(FIXTURES, '4674-6416-external-device.evtx'), { instance: 'tamper' });
    expect(r).toMatchObject({ stored: 0, apart: 6 });
    expect((await collector.verify.verify()).ok).toBe(true);
    // the test's own mutation (not the collector's client settings): wait for it to be applied
    await store.client.command({
      query: 'ALTER TABLE events_apart DELETE WHERE batch_id = {b:String} AND line_no = 1 SETTINGS mutations_sync = 2',
      query_params: { b: r.batchId },
    });
    const report = await collector.verify.verify();
    expect(report.ok).toBe(false);
    expect(report.broken.map((b) => b.batchId)).toEqual([r.batchId]);
  });

  it('a file named .evtx that is not one is refused, naming the file', async () => {
    const path = join(dir, 'notes.evtx');
    copyFileSync(join(FIXTURES, 'LICENSE-CC0.md'), path);
    await expect(collector.files.importFile(path)).rejects.toThrow(
      /notes\.evtx: line 1: the header does not match \(expected "ElfFile \(EVTX\)"/,
    );
  });
});
