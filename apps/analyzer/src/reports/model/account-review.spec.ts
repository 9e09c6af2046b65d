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

function input(over: Partial<AccountReviewInput> = {}): AccountReviewInput {
  return {
    window: { from: '2025-04-01', to: '2025-04-30' },
    staff: [],
    accounts: [],
    leaves: [],
    lastLogins: [],
    activity: new Map(),
    firstEventDay: '2024-10-01',
    longLeaveDays: 90,
    unusedDays: 90,
    systemTitle: (s) => `sys:${s}`,
    ...over,
  };
}

describe('account review', () => {
  it('lists long leaves (planned or so far ≥ 90 days) but not short or not overlapping ones', () => {
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
    expect(r.absentees.map((a) => [a.staffId, a.reason, a.assessment])).toEqual([
      ['A', '育児休業', '要対応（IDの停止）'],
      ['B', '病気休職', '要対応（IDの停止）'],
    ]);
  });

  it('lists retirees with an active ID or retired in the month, and says when an absentee used an ID', () => {
    const r = accountReview(
      input({
        staff: [staff('R1', '2025-03-31'), staff('R2', '2024-03-31'), staff('R3', '2025-04-15'), staff('R4', '2025-05-31')],
        accounts: [
          account('jumin', 'R1'),
          account('atena', 'R1', '無効'),
          account('jumin', 'R2', '無効'),
          account('jumin', 'R3', '無効'),
          account('jumin', 'R4'),
        ],
        activity: new Map([['jumin|R1', 4]]),
      }),
    );
    expect(r.absentees.map((a) => [a.staffId, a.system, a.state, a.eventsInMonth, a.assessment])).toEqual([
      ['R1', 'sys:jumin', '有効', 4, '要確認（期間中の利用あり）'],
      ['R1', 'sys:atena', '無効', 0, '停止済'],
      ['R3', 'sys:jumin', '無効', 0, '停止済'],
    ]);
  });

  it('lists active IDs without a login for 90 days, counting from the later of last login and activation', () => {
    const r = accountReview(
      input({
        staff: ['U1', 'U2', 'U3', 'U4'].map((id) => staff(id)),
        accounts: [
          account('jumin', 'U1'),
          account('jumin', 'U2'),
          account('jumin', 'U3', '有効', '2025-03-01'),
          account('jumin', 'U4', '無効'),
        ],
        lastLogins: [
          { source: 'jumin', user_id: 'U1', last: '2025-01-10' },
          { source: 'jumin', user_id: 'U2', last: '2025-04-28' },
        ],
      }),
    );
    expect(r.unused.map((u) => [u.accountId, u.lastLogin, u.daysSince])).toEqual([['U1', '2025-01-10', 110]]);
  });

  it('judges no unused IDs on systems that never log logins, nor before the logs reach back 90 days', () => {
    const accounts = [account('jumin', 'U1'), account('atena', 'U1')];
    const lastLogins = [{ source: 'jumin', user_id: 'X', last: '2025-04-01' }];
    expect(accountReview(input({ staff: [staff('U1')], accounts, lastLogins })).unused.map((u) => u.system)).toEqual(['sys:jumin']);
    const young = accountReview(input({ staff: [staff('U1')], accounts, lastLogins, firstEventDay: '2025-04-01' }));
    expect(young.unused).toEqual([]);
    expect(young.unusedNote).toContain('判定できません');
    expect(young.unusedJudged).toBe(false);
  });
});
