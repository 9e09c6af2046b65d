import { createHash } from 'node:crypto';
import { buildCalendarDays } from '@kansa/calendar';
import { RULES } from '@kansa/rules';
import { insertEventRows, TABLES } from '@kansa/storage';
import { eventRow, type TestStore } from '@kansa/test-kit';

/** A log value an attacker could plant in a user ID: Excel would run it as a formula. */
export const INJECTION_USER = '=HYPERLINK("http://example.invalid","x")';
export const INJECTION_COMMENT = '@SUM(1+1) 本人へ注意喚起済み';

const DEPARTMENTS = [
  { code: '100100', name: '市民課' },
  { code: '100200', name: '税務課' },
  { code: '100300', name: '福祉課' },
];
const FAMILY = ['佐藤', '鈴木', '高橋', '田中', '伊藤', '渡辺', '山本', '中村', '小林', '加藤'];
const GIVEN = ['太郎', '花子', '健太', '愛', '裕子', '誠'];

/** The batch that re-sent lines and had unreadable ones. */
export const FAULTY_BATCH = 'jumin-2025-04-15';
/** The day the retiree's terminal ID is used. */
export const RETIREE_USE_DAY = '2025-04-03';
const QUARANTINE_REASONS: Array<[string, string]> = [
  ['処理日時', '日時が不正です (YYYY/MM/DD HH:MM:SS)'],
  ['処理区分', '未知の処理区分です'],
];

export interface ReportMonthFixture {
  month: string;
  /** chukan has no events on this business day. */
  missingDay: string;
  users: string[];
  /** Retired 2025-03-31 with IDs still active; last jumin login 2025-01-10. */
  retiredId: string;
  /** On 育児休業 since 2024-12-05 with IDs still active. */
  onLeaveId: string;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A month (2025-04) of events, masters, import batches, analysis runs,
 * findings and triage written straight into the tables, the way the collector
 * and analyzer leave them. Deterministic (seeded).
 */
export async function seedReportMonth(store: TestStore, size = 1): Promise<ReportMonthFixture> {
  const month = '2025-04';
  const missingDay = '2025-04-21';
  const random = rng(42);
  const c = store.client;
  const staffCount = 30 * size;
  const staff = Array.from({ length: staffCount }, (_, i) => {
    const id = `K${String(1001 + i).padStart(6, '0')}`;
    const d = DEPARTMENTS[i % DEPARTMENTS.length];
    return { id, name: `${FAMILY[i % FAMILY.length]} ${GIVEN[i % GIVEN.length]}`, dept: d };
  });
  const retired = staff[staffCount - 1];
  const onLeave = staff[staffCount - 2];
  const users = staff.slice(0, staffCount - 2).map((s) => s.id);

  await c.insert({
    table: TABLES.masterVersions,
    format: 'JSONEachRow',
    values: ['staff', 'accounts', 'leaves', 'calendar', 'overtime'].map((m) => ({
      master: m,
      version: 1,
      effective_from: '2024-04-01 00:00:00.000',
      loaded_at: '2025-03-31 09:00:00.000',
      file_name: `${m}.csv`,
      file_sha256: md5(m),
      rows: 1,
    })),
  });
  await c.insert({
    table: TABLES.staff,
    format: 'JSONEachRow',
    values: staff.map((s) => ({
      version: 1,
      staff_id: s.id,
      name: s.name,
      department_code: s.dept.code,
      department_name: s.dept.name,
      employment_status: s === retired ? '退職' : '在職',
      retired_on: s === retired ? '2025-03-31' : null,
      resident_id: '',
      household_id: '',
    })),
  });
  await c.insert({
    table: TABLES.accounts,
    format: 'JSONEachRow',
    values: staff.flatMap((s) =>
      ['jumin', 'atena', 'terminal'].map((system) => ({
        version: 1,
        system,
        account_id: s.id,
        staff_id: s.id,
        state: '有効',
        state_changed_on: '2024-04-01',
      })),
    ),
  });
  await c.insert({
    table: TABLES.leaves,
    format: 'JSONEachRow',
    values: [
      { version: 1, staff_id: onLeave.id, leave_type: '育児休業', start_date: '2024-12-05', end_date: null },
      { version: 1, staff_id: users[3], leave_type: '病気休暇', start_date: '2025-04-14', end_date: '2025-04-18' },
    ],
  });
  await c.insert({
    table: TABLES.calendar,
    format: 'JSONEachRow',
    values: [{ version: 1, date: '2025-04-26', kind: '開庁', note: '休日開庁（転入手続）' }],
  });

  // Approved overtime: users[1] works evenings under orders, so the off-hours rule excuses it (the report counts it).
  const overtimeDays = buildCalendarDays('2025-04-01', '2025-04-30', []).map((d) => d.date);
  await c.insert({
    table: TABLES.overtime,
    format: 'JSONEachRow',
    values: overtimeDays.map((date) => ({
      version: 1,
      staff_id: users[1],
      date,
      start_at: `${date} 17:15:00`,
      end_at: `${date} 22:00:00`,
      approver: '市民課長',
    })),
  });

  // Events: business days in business hours, some off-hours work, one holiday session.
  const days = buildCalendarDays('2025-04-01', '2025-04-30', [{ date: '2025-04-26', kind: '開庁' }]);
  const events: Array<Record<string, unknown>> = [];
  const batches: Array<Record<string, unknown>> = [];
  const chain: Record<string, { seq: number; hash: string }> = {};
  const offHours = new Map<string, number>();
  const record = (
    batch: string,
    source: string,
    day: string,
    stored: number,
    duplicates: number,
    quarantined: number,
    importDay: string,
  ) => {
    const prev = chain[source] ?? { seq: 0, hash: '' };
    const hash = createHash('sha256').update(`${prev.hash}|${batch}`).digest('hex');
    chain[source] = { seq: prev.seq + 1, hash };
    batches.push({
      batch_id: batch,
      seq: prev.seq + 1,
      source,
      instance: '',
      transport: 'file',
      origin: `${source.toUpperCase()}_${(day || importDay).replace(/-/g, '')}.csv`,
      file_sha256: md5(batch),
      lines_read: stored + duplicates + quarantined,
      stored,
      duplicates,
      quarantined,
      content_digest: md5(batch),
      prev_chain: prev.hash,
      chain_hash: hash,
      started_at: `${importDay} 23:50:00.000`,
      finished_at: `${importDay} 23:51:00.000`,
      first_day: day,
      last_day: day,
    });
    for (let i = 0; i < quarantined; i++) {
      const [field, reason] = QUARANTINE_REASONS[i % QUARANTINE_REASONS.length];
      quarantine.push({
        quarantine_id: md5(`${batch}|q${i}`),
        batch_id: batch,
        source,
        instance: '',
        origin: `${source.toUpperCase()}_${(day || importDay).replace(/-/g, '')}.csv`,
        line_no: 1000 + i,
        field,
        reason,
        raw: 'x',
        raw_bytes_b64: '',
        received_at: `${importDay} 23:50:30.000`,
      });
    }
  };
  const quarantine: Array<Record<string, unknown>> = [];
  let n = 0;
  const add = (source: string, day: string, hh: number, mm: number, user: string, dept: string, action: string, batch: string) => {
    n += 1;
    events.push(
      eventRow({
        event_id: md5(`${source}|${n}`),
        ts: `${day} ${pad(hh)}:${pad(mm)}:${pad(n % 60)}.000`,
        source,
        user_id: user,
        department_code: dept,
        terminal_id: `WS-${user.slice(-3)}`,
        client_ip: '10.0.0.1',
        action,
        subject_id: `100${String(Math.floor(random() * 1e7)).padStart(7, '0')}`,
        record_count: 1,
        reason: '住民票交付',
        outcome: 'success',
        batch_id: batch,
        line_no: n,
      }),
    );
  };
  for (const d of days) {
    for (const source of ['jumin', 'atena', 'terminal', 'chukan']) {
      if (source === 'chukan' && d.date === missingDay) continue;
      const batch = `${source}-${d.date}`;
      const before = events.length;
      const active = d.businessDay ? users : d.date === '2025-04-29' ? [users[5]] : [];
      for (const [k, u] of active.entries()) {
        if (source === 'chukan' && k % 10 !== 0) continue;
        if (u === users[3] && d.date >= '2025-04-14' && d.date <= '2025-04-18') continue;
        const dept = staff.find((s) => s.id === u)!.dept.code;
        const count = source === 'jumin' ? 6 + Math.floor(random() * 10) : 1 + Math.floor(random() * 4);
        add(source, d.date, 8, 35 + Math.floor(random() * 10), u, dept, 'login', batch);
        for (let i = 0; i < count; i++)
          add(source, d.date, 9 + Math.floor(random() * 8), Math.floor(random() * 60), u, dept, i % 3 ? 'view' : 'search', batch);
        if (!d.businessDay || (k % 3 === 1 && Number(d.date.slice(8)) % 4 === 0)) {
          add(source, d.date, 20 + (k % 3), 10, u, dept, 'view', batch);
          const key = `${u}|${d.date}`;
          if (u !== users[1]) offHours.set(key, (offHours.get(key) ?? 0) + 1);
        }
      }
      if (source === 'jumin' && d.date === '2025-04-10') add(source, d.date, 10, 0, INJECTION_USER, '100100', 'view', batch);
      // The retiree's terminal ID, still enabled, logs on after retirement: the account review's most urgent line.
      if (source === 'terminal' && d.date === RETIREE_USE_DAY) add(source, d.date, 9, 12, retired.id, retired.dept.code, 'login', batch);
      if (events.length === before) continue;
      // One file re-sent two of its lines and had three it could not read (the report's intake section).
      const faulty = batch === FAULTY_BATCH;
      record(batch, source, d.date, events.length - before, faulty ? 2 : 0, faulty ? 3 : 0, d.date);
    }
  }
  // A file none of whose lines could be read: it belongs to the month it was imported in.
  record('jumin-unreadable', 'jumin', '', 0, 0, 4, '2025-04-20');
  // January: logs reach back more than 90 days, so unused IDs can be judged.
  add('jumin', '2025-01-10', 9, 0, retired.id, retired.dept.code, 'login', 'jumin-2025-01-10');
  for (const u of users) add('jumin', '2025-01-10', 9, 5, u, '100100', 'login', 'jumin-2025-01-10');
  for (let i = 0; i < events.length; i += 20000) await insertEventRows(c, events.slice(i, i + 20000));
  await c.insert({ table: TABLES.importBatches, format: 'JSONEachRow', values: batches });
  await c.insert({ table: TABLES.quarantine, format: 'JSONEachRow', values: quarantine });
  // A batch storage refused as a whole, waiting for an operator (kansa batches).
  await c.insert({
    table: TABLES.setAsideBatches,
    format: 'JSONEachRow',
    values: [
      {
        batch_id: 'atena-resend-0430',
        source: 'atena',
        instance: '',
        transport: 'file',
        origin: 'ATENA_INQUIRY_20250430.csv',
        writer: '',
        lines: 120,
        state: 'set_aside',
        reason: 'ClickHouse がこのバッチの値を受け付けません',
        error_code: '53',
        attempts: 3,
        intent: '',
        set_aside_at: '2025-05-01 08:00:00.000',
        updated_at: '2025-05-01 08:00:00.000',
        updated_by: '',
        note: '',
      },
    ],
  });
  // The latest verification, which saw every chain head as it is.
  await c.insert({
    table: TABLES.integrityChecks,
    format: 'JSONEachRow',
    values: [
      {
        checked_at: '2025-05-07 18:00:00.000',
        ok: true,
        batches_checked: batches.length,
        expired: 0,
        content_from: '',
        content_to: '',
        chains: Object.entries(chain).map(([source, h]) => ({ source, writer: '', batches: h.seq, head: h.hash })),
        problem: '',
      },
    ],
  });

  // Analysis: runs and ledger covering every day (by every rule of the catalogue); March analysed too (the trend).
  const rules = RULES.map((r) => r.id);
  await c.insert({
    table: TABLES.analysisRuns,
    format: 'JSONEachRow',
    values: [
      {
        run_id: 'run-catchup-0501',
        kind: 'catch-up',
        started_at: '2025-05-01 01:00:00.000',
        finished_at: '2025-05-01 01:03:12.000',
        from_day: '2025-04-01',
        to_day: '2025-04-30',
        rules,
        status: 'ok',
        error: '',
        findings: 0,
      },
      {
        run_id: 'run-daily-0415',
        kind: 'daily',
        started_at: '2025-04-15 01:00:00.000',
        finished_at: '2025-04-15 01:00:40.000',
        from_day: '2025-04-14',
        to_day: '2025-04-14',
        rules,
        status: 'ok',
        error: '',
        findings: 1,
      },
    ],
  });
  await c.insert({
    table: TABLES.analysisLedger,
    format: 'JSONEachRow',
    values: rules.flatMap((rule) =>
      [...buildCalendarDays('2025-03-01', '2025-03-31', []), ...days].map((d) => ({
        rule,
        day: d.date,
        source: '',
        rule_version: 1,
        events_seen: 0,
        data_mark: '2025-05-01 00:00:00.000',
        analyzed_at: '2025-05-01 01:03:00.000',
        run_id: 'run-catchup-0501',
      })),
    ),
  });

  // Findings with triage.
  const findings: Array<Record<string, unknown>> = [];
  const finding = (
    rule: string,
    severity: string,
    day: string,
    user: string,
    subject: string,
    count: number,
    hhmm: string,
    summary: string,
    params: object,
  ) => {
    const id = md5(`${rule}|${subject}|${day}`);
    findings.push({
      finding_id: id,
      rule,
      rule_version: 1,
      severity,
      day,
      user_id: user,
      subject,
      count,
      first_at: `${day} ${hhmm}:00.000`,
      last_at: `${day} ${hhmm}:00.000`,
      summary,
      details: '{}',
      evidence_ids: [],
      evidence_total: count,
      params: JSON.stringify(params),
      window_from: `${day} 00:00:00.000`,
      window_to: `${day} 23:59:59.999`,
      run_id: 'run-catchup-0501',
      detected_at: '2025-05-01 01:02:00.000',
      updated_at: '2025-05-01 01:02:00.000',
    });
    return id;
  };
  const offIds: string[] = [];
  for (const [key, cnt] of [...offHours].sort()) {
    const [u, day] = key.split('|');
    offIds.push(finding('off-hours', 'medium', day, u, u, cnt, '20:10', `時間外に${cnt}件のアクセス（20:10〜）`, { graceMinutes: 30 }));
  }
  const gap = finding('log-gap', 'high', missingDay, '', 'chukan', 0, '08:30', '中間サーバーのログが開庁時間中に1件もありません', {
    gapHours: 3,
  });
  const inj = finding(
    'mass-output',
    'high',
    '2025-04-10',
    INJECTION_USER,
    INJECTION_USER,
    1200,
    '10:00',
    '1日の出力件数が1,200件（閾値1,000件）',
    { records: 1000, factor: 10 },
  );
  const prevOpen = finding('off-hours', 'medium', '2025-03-27', users[1], users[1], 4, '21:00', '時間外に4件のアクセス（21:00〜）', {
    graceMinutes: 30,
  });
  const prevAction = finding(
    'mass-output',
    'high',
    '2025-03-12',
    users[2],
    users[2],
    1500,
    '11:00',
    '1日の出力件数が1,500件（閾値1,000件）',
    { records: 1000, factor: 10 },
  );
  const prevClosed = finding('off-hours', 'medium', '2025-03-05', users[4], users[4], 2, '20:00', '時間外に2件のアクセス（20:00〜）', {
    graceMinutes: 30,
  });
  // The unused-account rule's findings: the account review lists exactly these.
  for (const [id, last] of [
    [retired.id, '2025-01-10'],
    [onLeave.id, ''],
  ]) {
    finding(
      'unused-account',
      'low',
      '2025-04-01',
      id,
      `jumin:${id}`,
      1,
      '00:00',
      `90日以上使われていない有効なアカウント（住民記録システム ${id}）`,
      {
        days: 90,
      },
    );
    findings[findings.length - 1].details = JSON.stringify({ system: 'jumin', accountId: id, lastUsed: last || null });
    findings[findings.length - 1].first_at = null;
  }
  await c.insert({ table: TABLES.findings, format: 'JSONEachRow', values: findings });

  const transitions: Array<Record<string, unknown>> = [];
  const triage = (id: string, steps: Array<[string, string, string]>, by = '監査 一郎') => {
    let from = 'new';
    steps.forEach(([to, at, comment]) => {
      transitions.push({ finding_id: id, at: `${at}:00.000`, by, from_status: from, to_status: to, comment });
      from = to;
    });
  };
  offIds.forEach((id, i) => {
    if (i % 4 === 0)
      triage(id, [
        ['reviewing', '2025-05-02 10:00', ''],
        ['no_issue', '2025-05-02 10:30', '時間外勤務命令あり（事後承認）'],
      ]);
    else if (i % 4 === 1)
      triage(id, [
        ['reviewing', '2025-05-02 11:00', ''],
        ['false_positive', '2025-05-02 11:10', 'システム保守作業'],
      ]);
    else if (i % 4 === 2) triage(id, [['reviewing', '2025-05-02 13:00', '所属長へ照会中']]);
  });
  triage(
    gap,
    [
      ['reviewing', '2025-05-02 09:00', ''],
      ['no_issue', '2025-05-02 09:20', '中間サーバー計画停止日'],
      ['closed', '2025-05-07 09:00', '完了'],
    ],
    '管理 花子',
  );
  triage(inj, [
    ['reviewing', '2025-05-02 14:00', ''],
    ['action_required', '2025-05-02 15:00', INJECTION_COMMENT],
  ]);
  triage(prevAction, [
    ['reviewing', '2025-04-02 10:00', ''],
    ['action_required', '2025-04-03 10:00', '所属長へ報告'],
  ]);
  triage(prevClosed, [
    ['reviewing', '2025-04-02 10:00', ''],
    ['no_issue', '2025-04-02 10:30', '業務上必要'],
    ['closed', '2025-04-03 09:00', ''],
  ]);
  void prevOpen;
  await c.insert({ table: TABLES.findingTransitions, format: 'JSONEachRow', values: transitions });
  return { month, missingDay, users, retiredId: retired.id, onLeaveId: onLeave.id };
}
