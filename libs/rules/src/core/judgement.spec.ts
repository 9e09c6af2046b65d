import { getRule } from '../catalog';
import { judgement } from './judgement';

const unused = getRule('unused-account')!;
const massOutput = getRule('mass-output')!;
const offHours = getRule('off-hours')!;
const april = { fromDay: '2025-04-01', toDay: '2025-04-30' };
const p90 = { days: 90 };

describe('judgement: could a rule judge the month with the logs stored?', () => {
  it('a rule without a history need judges whatever the logs', () => {
    expect(judgement(offHours, {}, april, { jumin: '2025-04-20' }).state).toBe('judged');
  });

  it('unused-account with 90 days of every system behind the month judges it', () => {
    expect(judgement(unused, p90, april, { jumin: '2024-12-01', chukan: '2025-01-01' })).toMatchObject({ state: 'judged', reason: '' });
  });

  it('unused-account with logs from March only is withheld (判定保留), saying why and from when', () => {
    const j = judgement(unused, p90, april, { jumin: '2025-03-01', chukan: '2025-03-03' });
    expect(j.state).toBe('withheld');
    expect(j.reason).toBe('判定保留：ログの記録が2025-03-01からで、判定に必要な90日分に満たないため（2025-05-30以降に判定できます）');
  });

  it('unused-account judges the systems whose logs reach back and names the others', () => {
    const j = judgement(unused, p90, april, { jumin: '2024-12-01', chukan: '2025-03-10' });
    expect(j.state).toBe('partial');
    expect(j.reason).toBe(
      '中間サーバーはログの記録が2025-03-10からで、判定に必要な90日分に満たないため判定していません（2025-06-08以降に判定できます）',
    );
  });

  it('history reached inside the month: the days before are named', () => {
    const j = judgement(unused, p90, april, { jumin: '2025-01-10' });
    expect(j).toMatchObject({ state: 'partial', readyFrom: '2025-04-10' });
    expect(j.reason).toContain('2025-04-10より前の日は');
  });

  it('mass-output without its 90-day baseline judges the fixed threshold only (partial, never withheld)', () => {
    const j = judgement(massOutput, massOutput.params.parse({}), april, { jumin: '2025-04-01' });
    expect(j.state).toBe('partial');
    expect(j.reason).toContain('本人のふだんの出力量との比較はできず、1日1,000件以上の基準のみで判定');
  });

  it('no logs at all: withheld', () => {
    expect(judgement(unused, p90, april, {})).toMatchObject({ state: 'withheld', reason: 'ログがないため判定できません' });
  });
});
