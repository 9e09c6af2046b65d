import { accountReview, AccountReviewInput } from './account-review';

const staff = (id: string, retired_on: string | null = null) => ({
  staff_id: id,
  name: `職員${id}`,
  department_code: '100100',
  department_name: '市民課',
  retired_on,
});
const account = (system: string, id: string, state = '有効', changed: string | null = '2024-04-01') => ({
  system,
  account_id: id,
  staff_id: id,
  state,
  state_changed_on: changed,
});
const used = (source: string, user: string, day: string, n: number) => ({ source, user_id: user, day, n });

function input(over: Partial<AccountReviewInput> = {}): AccountReviewInput {
  return {
    window: { from: '2025-04-01', to: '2025-04-30' },
    staff: [],
    accounts: [],
    leaves: [],
    activity: [],
    longLeaveDays: 90,
    unusedDays: 90,
    unused: [],
    unusedJudgement: 'judged',
    unusedState: '30日分析済み',
    systemTitle: (s) => `sys:${s}`,
    ...over,
  };
}

describe('account review', () => {
  it('lists long leaves (planned or so far ≥ 90 days) as 休業中, never the kind of leave', () => {
    const r = accountReview(
      input({
        staff: ['A', 'B', 'C', 'D', 'E'].map((id) => staff(id)),
        accounts: ['A', 'B', 'C', 'D', 'E'].map((id) => account('jumin', id)),
        leaves: [
          { staff_id: 'A', leave_type: '育児休業', start_date: '2025-04-20', end_date: '2026-03-31' }, // planned ≥ 90
          { staff_id: 'B', leave_type: '病気休職', start_date: '2025-01-15', end_date: null }, // open-ended, 106 days by 04-30
          { staff_id: 'C', leave_type: '病気休暇', start_date: '2025-04-10', end_date: null }, // open-ended, 21 days so far
          { staff_id: 'D', leave_type: '病気休暇', start_date: '2025-04-14', end_date: '2025-04-18' }, // short
          { staff_id: 'E', leave_type: '育児休業', start_date: '2024-01-01', end_date: '2025-03-31' }, // ended before the month
        ],
      }),
    );
    expect(r.absentees.map((a) => [a.staffId, a.absence, a.from, a.to, a.assessment])).toEqual([
      ['A', '休業中', '2025-04-20', '2026-03-31', '要対応：IDの停止'],
      ['B', '休業中', '2025-01-15', '', '要対応：IDの停止'],
    ]);
    expect(JSON.stringify(r)).not.toMatch(/育児|病気|休職/);
  });

  it('puts a retiree ID still enabled and used after retirement first, as 至急対応 — use before the retirement day does not count', () => {
    const r = accountReview(
      input({
        staff: [staff('R1', '2025-04-10'), staff('R2', '2024-03-31'), staff('R3', '2025-04-15'), staff('R4', '2025-05-31'), staff('A')],
        accounts: [
          account('jumin', 'A'),
          account('jumin', 'R1'),
          account('atena', 'R1', '停止'),
          account('jumin', 'R2', '停止'),
          account('jumin', 'R3', '停止'),
          account('jumin', 'R4'),
          account('terminal', 'R3'),
        ],
        leaves: [{ staff_id: 'A', leave_type: '育児休業', start_date: '2025-01-01', end_date: null }],
        activity: [
          used('jumin', 'R1', '2025-04-09', 7), // before retiring: not use while absent
          used('jumin', 'R1', '2025-04-11', 4),
          used('terminal', 'R3', '2025-04-16', 2),
          used('jumin', 'A', '2025-04-02', 1),
        ],
      }),
    );
    expect(r.absentees.map((a) => [a.staffId, a.system, a.state, a.eventsWhileAbsent, a.urgency])).toEqual([
      ['R1', 'sys:jumin', '有効', 4, 1],
      ['R3', 'sys:terminal', '有効', 2, 1],
      ['A', 'sys:jumin', '有効', 1, 2],
      ['R1', 'sys:atena', '停止', 0, 5],
      ['R3', 'sys:jumin', '停止', 0, 5],
    ]);
    expect(r.absentees[0].assessment).toBe('至急対応：退職後に使用されたIDが有効のまま（直ちに停止し、使用者を確認）');
    expect(r.absentees.find((a) => a.staffId === 'A')?.assessment).toBe('要確認：休業中の使用あり（IDは有効のまま）');
  });

  it('lists the unused IDs the unused-account rule found, with the days since their last use', () => {
    const r = accountReview(
      input({
        staff: [staff('U1'), staff('U2')],
        unused: [
          { system: 'jumin', accountId: 'U1', staffId: 'U1', lastUsed: '2025-01-10', statusTitle: '未確認' },
          { system: 'chukan', accountId: 'U2', staffId: 'U2', lastUsed: '', statusTitle: '要対応' },
        ],
      }),
    );
    expect(r.unused.map((u) => [u.system, u.accountId, u.name, u.lastUsed, u.daysSince, u.statusTitle])).toEqual([
      ['sys:chukan', 'U2', '職員U2', '', null, '要対応'],
      ['sys:jumin', 'U1', '職員U1', '2025-01-10', 110, '未確認'],
    ]);
  });

  it('carries the rule’s own words when it could not judge (判定保留)', () => {
    const r = accountReview(input({ unusedJudgement: 'withheld', unusedState: '判定保留：ログの記録が2025-03-01からで…' }));
    expect(r).toMatchObject({ unused: [], unusedJudgement: 'withheld', unusedNote: '判定保留：ログの記録が2025-03-01からで…' });
  });
});
