import { TABLES } from '@kansa/storage/tables';
import type { FixtureEvent, RuleFixture } from '../../testing/fixture.types';
import { RuleHarness, ruleContext } from '../../testing/rule-harness';
import rule from './unexplained-access.rule';

const no = (i: number) => `10000002${String(i).padStart(2, '0')}`;
const ino = (i: number) => `0100000000002${String(i).padStart(2, '0')}`;
const ts = (day: string, time = '10:00') => `${day} ${time}`;

interface Stored {
  source: string;
  day: string;
  user_id: string;
  subject_id: string;
  resident_key: string;
  department: string;
  accesses: number;
  class: string;
  explanations: string[];
  flags: string[];
  record_ref: string;
  record_kind: string;
  record_day: string | null;
  assignment_kind: string;
}

/**
 * What the classification stores for each access (the console and the
 * report read it): the class, every explanation and flag, the business
 * record or assignment that explains it; and a re-analysis replaces it.
 */
describe('unexplained-access: the stored classification (real embedded ClickHouse)', () => {
  let harness: RuleHarness;
  beforeAll(async () => {
    harness = await RuleHarness.open();
  });
  afterAll(async () => harness?.close());

  const fixture: RuleFixture = {
    name: 'every kind',
    kind: 'positive',
    window: { fromDay: '2025-04-30', toDay: '2025-04-30' },
    params: { batchAccounts: ['BATCH01'] },
    masters: {
      staff: [
        { staff_id: 'K000001', department_code: '100100', resident_id: no(1) },
        { staff_id: 'K000002', department_code: '100500' },
      ],
      residents: [
        { resident_id: no(1), integrated_id: ino(1), household_id: '3000000001' },
        { resident_id: no(2), integrated_id: ino(2), household_id: '3000000001' },
        { resident_id: no(3), integrated_id: ino(3), household_id: '3000000003' },
        { resident_id: no(4), integrated_id: ino(4), household_id: '3000000004' },
        { resident_id: no(5), integrated_id: ino(5), household_id: '3000000005' },
      ],
      watchlist: [{ integrated_id: ino(3), start_date: '2025-01-01', handling_departments: ['100100'] }],
      assignments: [
        { kind: '生活保護', department_code: '100500', staff_id: 'K000002', household_id: '3000000004', start_date: '2025-04-01' },
      ],
    },
    events: [
      // 市民課 views resident 3 twice (on the watchlist; two 市民課 records, the nearer one kept) and its own household member
      { ts: ts('2025-04-30', '10:00'), user: 'K000001', action: 'view', source: 'jumin', department: '100100', subject: no(3) },
      { ts: ts('2025-04-30', '10:05'), user: 'K000001', action: 'update', source: 'jumin', department: '100100', subject: no(3) },
      { ts: ts('2025-04-30', '11:00'), user: 'K000001', action: 'view', source: 'jumin', department: '100100', subject: no(2) },
      // a print of resident 5 is not a classified access
      { ts: ts('2025-04-30', '11:30'), user: 'K000001', action: 'print', source: 'jumin', department: '100100', subject: no(5) },
      {
        ts: ts('2025-04-10'),
        user: '',
        action: 'record',
        source: 'records',
        department: '100100',
        subject: no(3),
        reason: '相談受付',
        sourceEventId: '100100:A1',
      },
      {
        ts: ts('2025-04-28'),
        user: '',
        action: 'record',
        source: 'records',
        department: '100100',
        subject: no(3),
        reason: '届出受付',
        sourceEventId: '100100:A2',
      },
      // 生活福祉課: its caseload household (resident 4) by 統合宛名; a 統合宛名 照会 that prepared a 中間サーバー 情報照会 (resident 5), which itself nothing explains
      { ts: ts('2025-04-30', '13:00'), user: 'K000002', action: 'view', source: 'atena', department: '100500', subject: ino(4) },
      { ts: ts('2025-04-30', '14:00'), user: 'K000002', action: 'view', source: 'atena', department: '100500', subject: ino(5) },
      { ts: ts('2025-04-30', '14:03'), user: 'K000002', action: 'inquiry', source: 'chukan', subject: ino(5) },
      // a batch account
      { ts: ts('2025-04-30', '02:00'), user: 'BATCH01', action: 'view', source: 'jumin', department: '100600', subject: no(5) },
    ],
    expected: [],
  };

  const stored = () =>
    harness.store.rows<Stored>(
      `SELECT source, toString(day) AS day, toString(user_id) AS user_id, subject_id, resident_key, toString(department) AS department,
              accesses, toString(class) AS class, explanations, flags, record_ref, toString(record_kind) AS record_kind,
              toString(record_day) AS record_day, toString(assignment_kind) AS assignment_kind
       FROM ${TABLES.accessExplanations} ORDER BY user_id, first_at`,
    );
  const run = async (f: RuleFixture, window = f.window) => {
    for (const q of rule.prepare!(ruleContext(rule, window, f.params))) {
      await harness.store.client.command({ query: q.query, query_params: q.query_params });
    }
  };

  it('stores each access with its class, explanations, flags and what explains it', async () => {
    await harness.load(fixture, 30);
    await run(fixture);
    const none = { record_ref: '', record_kind: '', record_day: null, assignment_kind: '' };
    expect(await stored()).toEqual([
      {
        source: 'jumin',
        day: '2025-04-30',
        user_id: 'BATCH01',
        subject_id: no(5),
        resident_key: no(5),
        department: '100600',
        accesses: 1,
        class: 'explained',
        explanations: ['batch'],
        flags: [],
        ...none,
      },
      {
        source: 'jumin',
        day: '2025-04-30',
        user_id: 'K000001',
        subject_id: no(3),
        resident_key: no(3),
        department: '100100',
        accesses: 2,
        class: 'explained',
        explanations: ['record'],
        flags: ['watchlist'],
        record_ref: '100100:A2',
        record_kind: '届出受付',
        record_day: '2025-04-28',
        assignment_kind: '',
      },
      {
        source: 'jumin',
        day: '2025-04-30',
        user_id: 'K000001',
        subject_id: no(2),
        resident_key: no(2),
        department: '100100',
        accesses: 1,
        class: 'flagged',
        explanations: [],
        flags: ['self'],
        ...none,
      },
      {
        source: 'atena',
        day: '2025-04-30',
        user_id: 'K000002',
        subject_id: ino(4),
        resident_key: no(4),
        department: '100500',
        accesses: 1,
        class: 'explained',
        explanations: ['assignment'],
        flags: [],
        ...none,
        assignment_kind: '生活保護',
      },
      {
        source: 'atena',
        day: '2025-04-30',
        user_id: 'K000002',
        subject_id: ino(5),
        resident_key: no(5),
        department: '100500',
        accesses: 1,
        class: 'explained',
        explanations: ['chukan'],
        flags: [],
        ...none,
      },
      {
        source: 'chukan',
        day: '2025-04-30',
        user_id: 'K000002',
        subject_id: ino(5),
        resident_key: no(5),
        // 中間サーバー logs carry no department: the staff master's
        department: '100500',
        accesses: 1,
        class: 'unexplained',
        explanations: [],
        flags: [],
        ...none,
      },
    ]);
  });

  it('replaces the window on a re-analysis: a business record sent late explains the access the next time', async () => {
    const late: FixtureEvent = {
      ts: ts('2025-05-01', '09:00'),
      user: '',
      action: 'record',
      source: 'records',
      department: '100500',
      subject: no(5),
      object: ino(5),
      reason: '照会依頼',
      sourceEventId: '100500:B7',
    };
    await harness.load(fixture, 30);
    // the next day, already analysed, must keep its rows when 04-30 is analysed again
    await harness.insertEvents([
      { ts: ts('2025-05-01'), user: 'K000001', action: 'view', source: 'jumin', department: '100100', subject: no(4) },
    ]);
    await run(fixture, { fromDay: '2025-04-30', toDay: '2025-05-01' });
    const before = await stored();
    expect(before).toHaveLength(7);
    await harness.insertEvents([late]);
    await run(fixture);
    const after = await stored();
    expect(after).toHaveLength(7);
    expect(after.find((r) => r.source === 'chukan')).toMatchObject({
      class: 'explained',
      explanations: ['record'],
      record_ref: '100500:B7',
      record_day: '2025-05-01',
    });
    expect(after.filter((r) => r.day === '2025-05-01')).toEqual(before.filter((r) => r.day === '2025-05-01'));
  });

  it('names, of records as near, the earlier and then the lower 受付番号; a record re-sent with another date counts as its latest version', async () => {
    const record = (day: string, subject: string, ref: string, reason: string): FixtureEvent => ({
      ts: ts(day, '09:00'),
      user: '',
      action: 'record',
      source: 'records',
      department: '100100',
      subject,
      reason,
      sourceEventId: `100100:${ref}`,
    });
    const f: RuleFixture = {
      ...fixture,
      window: { fromDay: '2025-04-29', toDay: '2025-04-30' },
      events: [
        { ts: ts('2025-04-30', '10:00'), user: 'K000001', action: 'view', source: 'jumin', department: '100100', subject: no(5) },
        { ts: ts('2025-04-29', '10:00'), user: 'K000001', action: 'view', source: 'jumin', department: '100100', subject: no(4) },
        // three records one day from the access: two the day before, one the day after
        record('2025-05-01', no(5), 'C0', '申請受付'),
        record('2025-04-29', no(5), 'C2', '届出受付'),
        record('2025-04-29', no(5), 'C1', '相談受付'),
        // explains the access of 04-29 until it is sent again dated 05-01 (two days after the access)
        record('2025-04-28', no(4), 'D1', '届出受付'),
      ],
    };
    await harness.load(f, 30);
    await new Promise((r) => setTimeout(r, 5));
    await harness.insertEvents([record('2025-05-01', no(4), 'D1', '届出受付')]);
    await run(f);
    const rows = await stored();
    expect(rows.find((r) => r.subject_id === no(5))).toMatchObject({
      class: 'explained',
      record_ref: '100100:C1',
      record_kind: '相談受付',
      record_day: '2025-04-29',
    });
    expect(rows.find((r) => r.subject_id === no(4))).toMatchObject({ class: 'unexplained', explanations: [], record_ref: '' });
  });
});
