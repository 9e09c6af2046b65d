/**
 * The sample city `kansa demo` reports for (when the site configuration names
 * no organisation): a fictional name, its office and its approval boxes, and
 * the decisions its reviewers record on the demo's findings — so the demo's
 * report shows what a month under review looks like.
 */
export const DEMO_CITY = {
  organisation: { name: '若葉台市（デモ）', office: '総務部 情報政策課 システム管理室' },
  approvers: ['分析担当', 'システム管理室長', '情報政策課長', '総務部長（情報セキュリティ責任者）'],
} as const;

/** A step of the sample triage: to which state, by whom, with what comment. */
export interface DemoReviewStep {
  to: 'reviewing' | 'no_issue' | 'action_required' | 'false_positive' | 'closed';
  by: string;
  comment: string;
}

const ANALYST = '佐藤（分析担当）';
const HEAD = '鈴木（室長）';

const review = (first: string, ...steps: Array<[DemoReviewStep['to'], string, string?]>): DemoReviewStep[] => [
  { to: 'reviewing', by: ANALYST, comment: first },
  ...steps.map(([to, comment, by]) => ({ to, comment, by: by ?? ANALYST })),
];

/**
 * What the sample city's reviewers decided, per rule, on the demo month's
 * findings: some decided (問題なし, 要対応 with the action taken, 誤検知),
 * some still under review or not yet looked at — a month still 速報.
 */
const MONTH: Record<string, DemoReviewStep[]> = {
  'off-hours': review('所属長に時間外勤務の状況を照会', ['no_issue', '時間外勤務命令の事後申請を確認（所属長承認済み）']),
  'mass-output': review(
    '出力の目的を所属長に照会',
    ['action_required', '目的外の一括出力。出力物の廃棄と本人への指導を所属長に指示'],
    ['closed', '廃棄証明書を受領（所属長）', HEAD],
  ),
  'mass-lookup': review('所属長に照会の目的を確認中'),
  'dormant-account': review('人事課の休業・退職記録と照合', ['action_required', 'IDの停止を各システム管理者に依頼（停止待ち）']),
  'absentee-activity': review('本人・所属に事実関係を確認中'),
  'login-failures': review('本人に確認', ['false_positive', 'パスワード変更直後の入力誤り（本人確認済み）']),
  'self-lookup': review(
    '本人に照会の理由を確認',
    ['action_required', '業務外の照会。本人に厳重注意し、研修を再受講させる'],
    ['closed', '研修の受講を確認', HEAD],
  ),
  'concurrent-sessions': review('情報政策課で端末の利用記録を確認', ['no_issue', '端末故障時の代替端末での利用（保守記録で確認）']),
  'external-media': review('書き出したファイルと媒体を確認', ['false_positive', '許可媒体の登録漏れ（登録済み）。内容は業務資料で個人情報なし']),
  'missing-reason': review('所属に確認', ['no_issue', '窓口混雑時の入力漏れ。処理事由は事後に補記']),
  'log-gap': review('中間サーバーの運用記録を確認', ['no_issue', '中間サーバーの計画停止日（運用記録で確認）'], ['closed', '確認完了', HEAD]),
};

/** The sample decisions for a finding of the demo month ([] = not yet reviewed). */
export function demoReview(rule: string): DemoReviewStep[] {
  return MONTH[rule] ?? [];
}

/** Findings of the months before the demo month were all reviewed and closed. */
export function demoHistoryReview(): DemoReviewStep[] {
  return review('過去分の確認', ['no_issue', '業務上必要な操作と確認'], ['closed', '確認完了', HEAD]);
}
