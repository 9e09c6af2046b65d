import { Explanations } from '../model/report.model';
import { explanationsIntro } from './report-tables';

const month = (total: Explanations['total'], classifiedDays = 23): Explanations => ({
  classifiedDays,
  days: 30,
  total,
  byDepartmentAndSystem: [],
  flaggedByStaff: [],
});

describe("the report's アクセスの説明 sentence", () => {
  it('counts the flagged accesses among those without a reason, so that its numbers add up to the accesses', () => {
    const text = explanationsIntro(
      month({ accesses: 11_841, explained: 10_792, flagged: 6, unexplained: 1_043, explainedShare: 10_792 / 11_841 }),
    );
    expect(text).toContain('住民の情報へのアクセス（住民記録・統合宛名・中間サーバー）11,841 件のうち');
    expect(text).toContain('説明のあるもの（業務記録・担当割当など）10,792 件（91.1%）');
    // 10,792 + 1,049 = 11,841: the 6 flagged are within the 1,049, not within the 1,043 unexplained
    expect(text).toContain('説明のないもの 1,049 件（うち要注意の対象（本人・要保護対象者など）へのもの 6 件）');
  });

  it('says in words when the month was not classified', () => {
    const text = explanationsIntro(month({ accesses: 0, explained: 0, flagged: 0, unexplained: 0, explainedShare: null }, 0));
    expect(text).toContain('対象月を分類していません');
  });
});
