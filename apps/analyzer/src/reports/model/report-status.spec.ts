import { progressText, reportStatus, reviewProgress } from './report-status';

const f = (status: string, outcome = status) => ({ status, outcome }) as never;

describe('report status: 速報 and 確定', () => {
  const mixed = [
    f('new'),
    f('reviewing'),
    f('no_issue'),
    f('closed', 'action_required'),
    f('action_required'),
    f('closed', 'false_positive'),
  ];

  it('counts review progress by decision; a closed finding under the decision it closed', () => {
    const p = reviewProgress(mixed);
    expect(p).toEqual({
      found: 6,
      new: 1,
      reviewing: 1,
      noIssue: 1,
      actionRequired: 2,
      actionDone: 1,
      falsePositive: 1,
      excepted: 0,
      undecided: 2,
    });
    expect(progressText(p)).toBe('未確認 1 / 確認中 1 / 問題なし 1 / 要対応 2（うち対応完了 1） / 誤検知 1');
  });

  it('counts a finding an approved exception covers as 例外適用, decided, and names it only when there is one', () => {
    const p = reviewProgress([...mixed, f('excepted')]);
    expect(p).toMatchObject({ found: 7, excepted: 1, undecided: 2 });
    expect(progressText(p)).toBe('未確認 1 / 確認中 1 / 問題なし 1 / 要対応 2（うち対応完了 1） / 誤検知 1 / 例外適用 1');
    expect(reportStatus(reviewProgress([f('no_issue'), f('excepted')]), [], null)).toMatchObject({ final: true, label: '確定' });
  });

  it('is 速報 while a finding is undecided, and 確定 once all are decided', () => {
    expect(reportStatus(reviewProgress(mixed), ['a', 'b'], null)).toMatchObject({ final: false, label: '速報' });
    const decided = reportStatus(reviewProgress([f('no_issue'), f('closed', 'false_positive')]), [], null);
    expect(decided).toEqual({ final: true, label: '確定', text: '確定：対象月の検知 2 件はすべて確認済みです。', finalisation: null });
  });

  it('is never 確定 for a month not over or not fully analysed, even with nothing found', () => {
    const none = reviewProgress([]);
    expect(reportStatus(none, [], null, { over: false, unanalysedDays: 0 }).text).toMatch(/^速報：対象月が終わっていません。/);
    expect(reportStatus(none, [], null, { over: true, unanalysedDays: 3 }).text).toMatch(/^速報：分析が完了していない日が 3 日あります。/);
  });

  it('an officer’s finalisation makes it 確定 with who, when and why — until a finding the officer did not see arrives', () => {
    const p = reviewProgress(mixed);
    const fin = { by: '課長 山田', at: '2025-05-09 10:00', reason: '照会中の2件は翌月報告', undecided: ['a', 'b'] };
    const s = reportStatus(p, ['a', 'b'], fin);
    expect(s).toMatchObject({ final: true, label: '確定', finalisation: { by: '課長 山田', undecided: 2 } });
    expect(s.text).toBe(
      '確定：2025-05-09 10:00 に 課長 山田 が確定しました（理由：照会中の2件は翌月報告）。未確認・確認中の 2 件を残しています。',
    );
    const later = reportStatus(reviewProgress([...mixed, f('new')]), ['a', 'b', 'c'], fin);
    expect(later).toMatchObject({ final: false, label: '速報' });
    expect(later.text).toContain('その後に未確認の検知が 1 件加わったため速報に戻りました。');
  });
});
