import type { BusinessHours } from '@kansa/config';

/** Words the rules' sentences share (explain.sentence): one wording of the hours, actions and systems. */

/** 勤務時間（08:30〜17:15、前後30分の猶予を含む） — the business hours a rule judges by, as people read them. */
export function hoursPhrase(hours: BusinessHours): string {
  const { graceBeforeMinutes: before, graceAfterMinutes: after } = hours;
  const grace =
    before === 0 && after === 0
      ? ''
      : before === after
        ? `、前後${before}分の猶予を含む`
        : `、始業前${before}分・終業後${after}分の猶予を含む`;
  const departments = Object.keys(hours.departments).length ? '。勤務時間を別に定めた所属はその時間' : '';
  return `勤務時間（${hours.start}〜${hours.end}${grace}${departments}）`;
}

/** Japanese names of the actions a rule's sentence names. */
export const ACTION_NAMES: Record<string, string> = {
  login: 'ログイン',
  search: '検索',
  view: '照会',
  update: '更新',
  issue: '証明書発行',
  print: '帳票出力',
  export: 'CSV出力',
  bulk_export: '一括出力',
  inquiry: '情報照会',
};
